#include "net/listen_address.h"

#include "core/decimal.h"

namespace postern::net {

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return error_code(Errc::invalid_argument);
  ListenAddress out;
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  out.host = std::string(host);
  if (out.host == "localhost") out.host = "127.0.0.1";
  auto port_text = text.substr(colon + 1);
  auto port = parse_decimal<std::uint16_t>(port_text);
  if (!port) return error_code(Errc::invalid_argument);
  out.port = *port;
  return out;
}

}  // namespace postern::net
