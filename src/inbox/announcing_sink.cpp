#include "inbox/announcing_sink.h"

namespace postern::inbox {

void AnnouncingSink::file(std::shared_ptr<const providers::OutboundMessage> message,
                          std::function<void(Result<std::vector<providers::InboxFiling>>)> done) {
  inner_.file(std::move(message),
              [this, done = std::move(done)](Result<std::vector<providers::InboxFiling>> filed) {
                if (filed) {
                  for (const auto& f : *filed) {
                    if (!f.error) announce_(f.account);
                  }
                }
                done(std::move(filed));
              });
}

}  // namespace postern::inbox
