// The test inbox as the capture provider's sink (providers::InboxSink):
// decides which accounts a caught message is meant for, and stores it once
// for all of them (docs/inbox.md "How mail is caught").
#pragma once

#include <string>

#include "core/clock.h"
#include "providers/inbox_sink.h"
#include "store/inbox_store.h"

namespace postern::inbox {

struct CatchOptions {
  std::string domain;                        // the inbox domain: user@domain is a test address
  std::string catch_all_user = "catch-all";  // the account that takes every other message
};

class CatchSink final : public providers::InboxSink {
 public:
  // `store` and `clock` must outlive the sink.
  CatchSink(store::InboxStore& store, const Clock& clock, CatchOptions options);

  // Targets: the catch account alone for mail sent with a test account's
  // credentials; each recipient's account for mail the MX took
  // (kCatchForRecipients), a recipient without one reported as not found;
  // otherwise each recipient's account when it is a test address, and the
  // catch-all account once for all other recipients.
  void file(std::shared_ptr<const providers::OutboundMessage> message,
            std::function<void(Result<std::vector<providers::InboxFiling>>)> done) override;

 private:
  struct Target {
    store::AccountId id = 0;
    std::string user;
  };
  // The accounts the message goes to, or the filing of a catch account
  // that no longer exists.
  Result<std::vector<Target>> targets_of(const providers::OutboundMessage& message,
                                         std::vector<providers::InboxFiling>& missing);

  store::InboxStore& store_;
  const Clock& clock_;
  CatchOptions options_;
};

}  // namespace postern::inbox
