// The trusted networks of SmtpConfig (CIDR blocks, IPv4 and IPv6): clients
// inside may submit without AUTH; nobody else may (never an open relay).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern::net {

class NetworkList {
 public:
  NetworkList() = default;

  // "10.0.0.0/8", "::1/128", or a bare address (one host). Errors name the
  // entry that is not a network.
  static Result<NetworkList, Problem> parse(const std::vector<std::string>& cidrs);

  // `address` is a textual IPv4 or IPv6 address; an IPv4-mapped IPv6
  // address (a dual-stack listener's view of an IPv4 client) matches the
  // IPv4 networks. Anything unparseable is not contained.
  bool contains(std::string_view address) const;

 private:
  using Bytes = std::array<std::uint8_t, 16>;
  struct Network {
    Bytes prefix;
    int bits;
  };
  // Every address as 16 bytes: IPv4 as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
  static std::optional<Bytes> to_bytes(std::string_view address, bool* is_v4);

  std::vector<Network> networks_;
};

}  // namespace postern::net
