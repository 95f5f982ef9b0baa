// An InboxSink that says which accounts got mail: it files through another
// sink and, for each account a copy was stored for, calls `announce` (the
// live event of caught mail that lets the web UI's inbox show it without a
// reload, stats/live_feed.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "providers/inbox_sink.h"

namespace postern::inbox {

class AnnouncingSink final : public providers::InboxSink {
 public:
  // `inner` must outlive this; `announce` runs where `inner`'s completion
  // runs, so it must be quick.
  AnnouncingSink(providers::InboxSink& inner, std::function<void(const std::string&)> announce)
      : inner_(inner), announce_(std::move(announce)) {}

  void file(std::shared_ptr<const providers::OutboundMessage> message,
            std::function<void(Result<std::vector<providers::InboxFiling>>)> done) override;

 private:
  providers::InboxSink& inner_;
  std::function<void(const std::string&)> announce_;
};

}  // namespace postern::inbox
