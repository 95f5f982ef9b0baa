#include "app/inbox_settings.h"

#include "net/listen_address.h"

namespace postern::app {
namespace {

std::uint16_t configured_port(const std::string& listen) {
  auto parsed = net::parse_listen_address(listen);
  return parsed ? parsed->port : 0;
}

}  // namespace

inbox::ClientSettings inbox_client_settings(const Config& config, const BoundPorts* bound) {
  inbox::ClientSettings s;
  const auto& http = config.http.listen;
  s.http = inbox::endpoint_of(http, bound ? bound->http : configured_port(http), false, true);
  auto smtp = config.smtp.listeners();
  // The submission listener comes first when there is one (SmtpConfig::listeners).
  if (!smtp.empty()) {
    const auto& first = smtp.front();
    std::uint16_t port =
        bound && !bound->smtp.empty() ? bound->smtp.front() : configured_port(first.listen);
    s.smtp = inbox::endpoint_of(first.listen, port, first.implicit_tls, true);
  }
  for (auto [endpoint, listen] : {std::pair{&s.imap, inbox::kDefaultImapListen},
                                  std::pair{&s.pop3, inbox::kDefaultPop3Listen}}) {
    *endpoint = inbox::endpoint_of(listen, configured_port(std::string(listen)), false, false);
  }
  return s;
}

}  // namespace postern::app
