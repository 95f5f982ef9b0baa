// Address lists as an IMAP ENVELOPE gives them (RFC 3501 §7.4.2): each
// mailbox as name, source route, local part and domain, the text kept as
// written (RFC 2047 encoded-words stay encoded), and groups as start and
// end markers. Lenient where intake's parser (address_list.h) is strict:
// a stored message is described however malformed, as a client reads it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime::detail {

struct EnvelopeAddress {
  std::optional<std::string> name;     // display name, or the comment of "a@b (Name)"
  std::optional<std::string> adl;      // source route "@a,@b" (obsolete)
  std::optional<std::string> mailbox;  // local part; the group name in a group start
  std::optional<std::string> host;     // nullopt in group markers
};

// Parses an unfolded address-list header value. A group "g: a@b;" gives
// (NIL NIL "g" NIL), its members, then (NIL NIL NIL NIL). A mailbox
// without domain gets an empty host; an item with neither local part nor
// domain is dropped.
std::vector<EnvelopeAddress> parse_envelope_addresses(std::string_view value);

}  // namespace postern::mime::detail
