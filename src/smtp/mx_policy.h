// What makes an SMTP listener an MX rather than a submission port: the
// test inbox's MX (docs/inbox.md "MX listener"). Set in SessionPolicy::mx
// by SmtpServer; the composition root gives the account lookup.
#pragma once

#include <functional>
#include <string>

#include "core/error.h"
#include "store/inbox_store.h"

namespace postern::smtp {

// An MX takes mail from any client without AUTH (and offers none), but
// only for mailboxes of `domain`, and the mail it takes is caught for them
// (kCatchForRecipients), never relayed.
struct MxPolicy {
  std::string domain;  // compared with each recipient's domain, ASCII case ignored
  // The test account at an address of `domain`: Errc::not_found when there
  // is none (550 5.1.1); any other error is temporary (451 4.3.0). Asked
  // only for addresses of `domain`, so no answer of it can open a relay.
  std::function<Result<store::InboxAccount>(const std::string& address)> find_account;
};

}  // namespace postern::smtp
