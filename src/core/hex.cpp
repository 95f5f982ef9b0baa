#include "core/hex.h"

#include <fmt/format.h>
#include <sodium.h>

namespace postern {

std::string to_hex(std::string_view bytes, HexCase letters) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();  // the NUL libsodium writes
  if (letters == HexCase::upper) {
    for (char& c : out) {
      if (c >= 'a') c = static_cast<char>(c - 'a' + 'A');  // only a-f are letters here
    }
  }
  return out;
}

std::string to_hex16(std::uint64_t value) { return fmt::format("{:016x}", value); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace postern
