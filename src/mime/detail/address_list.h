// Strict RFC 5322 §3.4 address-list parser for From/To/Cc/Bcc/Reply-To of
// raw messages. GMime's internet_address_list_parse is not used here: it
// silently drops or truncates malformed entries ("a@b.c\"om" becomes
// "a@b.c"), and intake must refuse such a header rather than guess.
#pragma once

#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/error.h"

namespace postern::mime::detail {

struct AddressList {
  std::vector<Mailbox> mailboxes;  // members of groups included, in order
  bool has_group = false;          // a group ("name: ...;") appeared
};

// Parses an unfolded header value. Accepts name-addr, addr-spec (with a
// trailing comment as the display name, "a@b (Name)"), groups (including
// the empty "undisclosed-recipients:;"), comments and the obsolete empty
// list elements of RFC 5322 §4.4. Display names are decoded to UTF-8
// (RFC 2047); every address must pass postern::validate_address.
// Error: AddressError whose reason names the offending text.
Result<AddressList, AddressError> parse_address_list(std::string_view value);

}  // namespace postern::mime::detail
