// Hexadecimal in one place for the tree: digests and ids in lower case,
// the escapes of RFC 2047 Q words in upper case, and the digits every
// decoder of them reads. Percent-encoding is in core/percent.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postern {

enum class HexCase { lower, upper };

// Two digits per byte, most significant nibble first: "\x0a\xff" -> "0aff".
std::string to_hex(std::string_view bytes, HexCase letters = HexCase::lower);

// The 16 lower-case digits of `value`, most significant first, zero-padded.
std::string to_hex16(std::uint64_t value);

// 0..15 for a hex digit of either case, -1 for anything else.
int hex_value(char c);

}  // namespace postern
