// Hexadecimal digits and %XX escapes, shared by every decoder of them
// (SigV4 canonical requests, RFC 2047 Q-encoding, the simulator's forms and
// paths).
#pragma once

#include <string>
#include <string_view>

namespace postern {

// 0..15 for a hex digit of either case, -1 for anything else.
int hex_value(char c);

// %XX decoding ('+' stays '+'); malformed escapes are kept as written.
std::string percent_decode(std::string_view s);

}  // namespace postern
