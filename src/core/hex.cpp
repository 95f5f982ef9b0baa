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

}  // namespace postern
