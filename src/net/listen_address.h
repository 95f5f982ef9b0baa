// "host:port" and "[v6]:port" as written in the configuration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace postern::net {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// Errc::invalid_argument when there is no port or it is not 0-65535.
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace postern::net
