#include "inbox/client_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "net/listen_address.h"

namespace postern::inbox {
namespace {

bool wildcard(std::string_view host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

void replace_wildcard(ServiceEndpoint& e, std::string_view host) {
  if (wildcard(e.host)) e.host = std::string(host);
}

}  // namespace

ServiceEndpoint endpoint_of(std::string_view listen, std::uint16_t port, bool secure, bool live) {
  auto parsed = net::parse_listen_address(listen);
  return ServiceEndpoint{parsed ? parsed->host : std::string(), port, secure, live};
}

ClientSettings for_client(ClientSettings s, std::string_view reached_host) {
  std::string host = reached_host.empty() ? "localhost" : std::string(reached_host);
  for (auto* e : {&s.smtp, &s.imap, &s.pop3, &s.http}) replace_wildcard(*e, host);
  return s;
}

std::string host_of_header(std::string_view h) {
  std::string_view host;
  if (h.starts_with('[')) {
    auto close = h.find(']');
    if (close == std::string_view::npos) return {};
    host = h.substr(1, close - 1);
  } else {
    host = h.substr(0, h.find(':'));
  }
  // What the client wrote goes back into settings and URLs: only the
  // characters of host names and IP addresses pass.
  bool clean =
      host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':';
      });
  return clean ? std::string(host) : std::string();
}

std::string host_and_port(const ServiceEndpoint& e) {
  bool v6 = e.host.find(':') != std::string::npos;
  return v6 ? fmt::format("[{}]:{}", e.host, e.port) : fmt::format("{}:{}", e.host, e.port);
}

std::string web_url(const ServiceEndpoint& http) { return "http://" + host_and_port(http); }

}  // namespace postern::inbox
