// Well-formed UTF-8 (RFC 3629): the only encoding of the text Postern keeps
// and serves as JSON, whatever came in from clients and providers.
#pragma once

#include <string>
#include <string_view>

namespace postern {

// True when `bytes` is well-formed UTF-8: shortest forms, no surrogates,
// nothing past U+10FFFF. NUL bytes are allowed.
bool is_valid_utf8(std::string_view bytes);

// `bytes` with each byte that does not start a well-formed sequence
// replaced by U+FFFD (valid input comes back unchanged).
std::string valid_utf8(std::string_view bytes);

}  // namespace postern
