// Where a test account's mail programs connect: the node's SMTP, IMAP and
// POP3 listeners and its web address, as POST /v1/test-accounts, POST /user
// (Nodemailer's Ethereal API) and `postern test-accounts create` print them.
// The composition root fills them from the listeners it started (their bound
// ports, so port 0 in the configuration shows the port taken); a wildcard
// listen address is answered with the name the client reached the node by.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace postern::inbox {

// The design's default IMAP and POP3 addresses (DESIGN.md), given to clients
// while this node has no such listener: `live` says whether one runs.
inline constexpr std::string_view kDefaultImapListen = "127.0.0.1:1143";
inline constexpr std::string_view kDefaultPop3Listen = "127.0.0.1:1110";

struct ServiceEndpoint {
  std::string host;
  std::uint16_t port = 0;
  bool secure = false;  // TLS from the first byte (Nodemailer's `secure`); else STARTTLS or none
  bool live = false;    // a listener serves it on this node now
};

struct ClientSettings {
  ServiceEndpoint smtp;
  ServiceEndpoint imap;
  ServiceEndpoint pop3;
  ServiceEndpoint http;  // the web address: web_url(http)
};

// An endpoint of a configured "host:port" (or "[v6]:port") and the port the
// listener took; an unparsable address gives an empty host.
ServiceEndpoint endpoint_of(std::string_view listen, std::uint16_t port, bool secure, bool live);

// With every wildcard host ("", 0.0.0.0, ::) replaced by `reached_host`,
// the host part of the HTTP request's Host header (or "localhost" when it
// is empty): the name and address by which this client reaches the node.
ClientSettings for_client(ClientSettings settings, std::string_view reached_host);

// The host of a Host header value: "[::1]:8025" → "::1", "example:80" →
// "example"; "" for an empty or malformed one.
std::string host_of_header(std::string_view host_header);

// "host:port", with an IPv6 host in brackets.
std::string host_and_port(const ServiceEndpoint& e);
// "http://host:port".
std::string web_url(const ServiceEndpoint& http);

// The settings as the servers that started publish them, read by the HTTP
// handlers on any thread.
class ClientSettingsBoard {
 public:
  void set(ClientSettings settings) {
    std::lock_guard lock(mu_);
    settings_ = std::move(settings);
  }
  ClientSettings get() const {
    std::lock_guard lock(mu_);
    return settings_;
  }

 private:
  mutable std::mutex mu_;
  ClientSettings settings_;  // guarded by mu_
};

}  // namespace postern::inbox
