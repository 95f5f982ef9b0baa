// NetworkList: see network_list.h.
#include "net/network_list.h"

#include <arpa/inet.h>

#include <cstring>

#include "core/decimal.h"

namespace postern::net {

std::optional<NetworkList::Bytes> NetworkList::to_bytes(std::string_view address, bool* is_v4) {
  std::string text(address);
  Bytes out{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    if (is_v4) *is_v4 = true;
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    if (is_v4) *is_v4 = false;
    return out;
  }
  return std::nullopt;
}

Result<NetworkList, Problem> NetworkList::parse(const std::vector<std::string>& cidrs) {
  NetworkList list;
  for (const auto& entry : cidrs) {
    auto bad = [&] {
      return Problem{"'" + entry + "' is not an IPv4 or IPv6 network (address/prefix)"};
    };
    std::string_view text(entry);
    auto slash = text.find('/');
    bool v4 = false;
    auto bytes = to_bytes(text.substr(0, slash), &v4);
    if (!bytes) return bad();
    int bits = v4 ? 32 : 128;
    if (slash != std::string_view::npos) {
      auto prefix = parse_decimal<int>(text.substr(slash + 1));
      if (!prefix || *prefix > bits) return bad();
      bits = *prefix;
    }
    if (v4) bits += 96;
    // Clear host bits so that 10.1.2.3/8 means 10.0.0.0/8.
    for (int i = bits; i < 128; ++i)
      (*bytes)[i / 8] &= static_cast<std::uint8_t>(~(0x80 >> (i % 8)));
    list.networks_.push_back({*bytes, bits});
  }
  return list;
}

bool NetworkList::contains(std::string_view address) const {
  auto bytes = to_bytes(address, nullptr);
  if (!bytes) return false;
  for (const auto& n : networks_) {
    int full = n.bits / 8;
    if (std::memcmp(bytes->data(), n.prefix.data(), static_cast<std::size_t>(full)) != 0) continue;
    int rest = n.bits % 8;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    if (((*bytes)[full] & mask) == n.prefix[full]) return true;
  }
  return false;
}

}  // namespace postern::net
