// Writing the top-level header fields of build_message: RFC 2047 encoding of
// display names and unstructured text, RFC 5322 §2.2.3 folding (the §3.3
// date is mime/date.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"

namespace postern::mime::detail {

// Lines are folded to at most this many octets where whitespace allows:
// RFC 2047 §2 limits lines holding encoded-words to 76 characters, within
// RFC 5322 §2.1.1's 78.
inline constexpr std::size_t kFoldWidth = 76;

// Room for the start of the value on the first line of field `name`.
std::size_t first_line_room(std::string_view name);

// Appends "name: value" CRLF, folded at whitespace: a fold inserts CRLF
// before a WSP that a non-WSP follows, so unfolding gives `value` back
// exactly. Requires: name is a valid field name. A CR or LF in value is
// written as a space, so no value can start a field of its own.
void append_field(std::string& out, std::string_view name, std::string_view value);

// Unstructured text (Subject, custom headers): kept as it is when it is
// printable ASCII that can be folded under 998 octets, else encoded-words.
// `first_limit` is the room on the first line (see first_line_room).
std::string encode_unstructured(std::string_view text, std::size_t first_limit);

// A display name as a phrase (RFC 5322 §3.2.5): atoms when it is only atoms
// separated by single spaces, a quoted-string when it is other printable
// ASCII, encoded-words otherwise (non-ASCII, controls, "=?", overlong words).
std::string encode_phrase(std::string_view name, std::size_t first_limit);

// "phrase <addr>" or "addr", comma-separated. Addresses are written as they
// are (UTF-8 addresses need SMTPUTF8, RFC 6531). `first_limit` applies to the
// first display name.
std::string format_mailbox_list(const std::vector<Mailbox>& mailboxes, std::size_t first_limit);

}  // namespace postern::mime::detail
