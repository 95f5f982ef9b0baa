#include "sim/common/id_source.h"

#include "core/hex.h"

namespace postern::sim {

std::string IdSource::hex(int digits) {
  std::string out;
  while (out.size() < static_cast<std::size_t>(digits)) out += to_hex16(next());
  out.resize(static_cast<std::size_t>(digits));
  return out;
}

std::string IdSource::url_safe(int length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(static_cast<std::size_t>(length));
  std::uint64_t bits = 0;
  for (int i = 0; i < length; ++i) {
    if (i % 10 == 0) bits = next();
    out += kAlphabet[bits & 63];
    bits >>= 6;
  }
  return out;
}

std::string IdSource::uuid() {
  auto h = hex(32);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace postern::sim
