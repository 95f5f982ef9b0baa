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

// `text` as valid UTF-8 for a human to read in an event or a log: trailing
// spaces and line ends dropped, then cut to at most `max` bytes on a
// character boundary, "..." appended to mark a cut (so a cut result has up
// to max + 3 bytes).
std::string clip_utf8(std::string_view text, std::size_t max = 300);

}  // namespace postern
