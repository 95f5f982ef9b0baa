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
  const auto& pop3 = config.pop3.server.listen;
  if (pop3.empty()) {
    s.pop3 =
        inbox::endpoint_of(inbox::kDefaultPop3Listen,
                           configured_port(std::string(inbox::kDefaultPop3Listen)), false, false);
  } else {
    s.pop3 = inbox::endpoint_of(pop3, bound ? bound->pop3 : configured_port(pop3), false, true);
  }
  const auto& imap = config.imap.server;
  if (!imap.listen.empty()) {
    s.imap = inbox::endpoint_of(imap.listen, bound ? bound->imap : configured_port(imap.listen),
                                false, true);
  } else if (!imap.tls_listen.empty()) {
    s.imap = inbox::endpoint_of(
        imap.tls_listen, bound ? bound->imaps : configured_port(imap.tls_listen), true, true);
  } else {
    std::string fallback(inbox::kDefaultImapListen);
    s.imap = inbox::endpoint_of(fallback, configured_port(fallback), false, false);
  }
  return s;
}

}  // namespace postern::app
