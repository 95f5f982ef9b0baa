// LIST and LSUB patterns (RFC 3501 §6.3.8): '*' matches anything, '%'
// anything but the hierarchy delimiter '/'. Names are UTF-8 (decoded from
// modified UTF-7 first).
#pragma once

#include <string>
#include <string_view>

namespace postern::imap {

inline constexpr char kDelimiter = '/';

// True when `name` matches `pattern`. "INBOX" is a name in any case
// (RFC 3501 §5.1), so a pattern reads it case-insensitively there.
bool list_matches(std::string_view pattern, std::string_view name);

// The reference and the pattern as one pattern: the reference is a prefix
// (its delimiter supplied when missing and the pattern does not start
// with one).
std::string list_pattern(std::string_view reference, std::string_view pattern);

}  // namespace postern::imap
