// Mail the test inbox catches instead of relaying (docs/inbox.md "How mail
// is caught"): who a caught message is for, and which addresses are test
// addresses. Shared by the servers that take such mail (smtp), intake's
// quota check (delivery) and the sink that files it (inbox).
#pragma once

#include <cstdint>
#include <string_view>

#include "core/ascii.h"

namespace postern {

// store::NewMessage::catch_account of mail caught for the test accounts its
// recipients name rather than for one account: the mail the test inbox's
// MX listener took (docs/inbox.md "MX listener"), caught and never relayed
// all the same. Other values: 0 for mail that is routed, an account's id
// (> 0) for mail sent with its credentials. Stored as is
// (messages.catch_account): it must never change.
inline constexpr std::int64_t kCatchForRecipients = -1;

// Whether `address` (local@domain, as in an envelope) lies in `domain`,
// ASCII case ignored: a test address when `domain` is the inbox domain.
// False for an address without '@' or an empty domain.
inline bool address_in_domain(std::string_view address, std::string_view domain) {
  auto at = address.rfind('@');
  return at != std::string_view::npos && !domain.empty() &&
         ascii_iequals(address.substr(at + 1), domain);
}

}  // namespace postern
