// Where the capture provider files mail: the test inbox, behind an
// interface so that providers do not depend on the store (src/inbox
// implements it; docs/inbox.md "How mail is caught").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "providers/outbound_message.h"

namespace postern::providers {

// One account the message was meant for, and whether it was filed there.
struct InboxFiling {
  std::string account;  // the account's user name
  std::uint32_t uid = 0;
  // ok when filed; storage_full over the account's quota, not_found when
  // the account is gone.
  error_code error;
};

class InboxSink {
 public:
  virtual ~InboxSink() = default;
  // Files the message into the mailboxes it is meant for: its catch
  // account's INBOX (OutboundMessage::catch_account), else the accounts
  // of its recipients in the inbox domain and, for any other recipient,
  // the catch-all account. `done` runs once, on any thread, with one
  // filing per target, or the error that kept anything from being stored
  // (storage_unavailable, overloaded, shutting_down, corrupt).
  virtual void file(std::shared_ptr<const OutboundMessage> message,
                    std::function<void(Result<std::vector<InboxFiling>>)> done) = 0;
};

}  // namespace postern::providers
