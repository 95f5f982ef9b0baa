#include "net/net_config.h"

#include "net/network_list.h"

namespace postern::net {

Result<IoRuntimeOptions, ConfigError> read_io_runtime_options(ConfigFile& file) {
  IoRuntimeOptions o;
  file.section("http").count("threads", o.threads);
  return file.result(o);
}

Result<HttpServerOptions, ConfigError> read_http_server_options(ConfigFile& file,
                                                                const ServerTlsOptions& tls) {
  HttpServerOptions o;
  o.tls = tls;
  // Negative: not given (the TLS keys need tls_listen when given).
  std::chrono::seconds handshake_timeout{-1};
  auto s = file.section("http");
  s.listen("listen", o.listen)
      .bytes("max_body_bytes", o.max_body_bytes)
      .duration("idle_timeout", o.idle_timeout)
      .duration("request_timeout", o.request_timeout)
      .count("max_connections", o.max_connections)
      .bytes("max_header_field_bytes", o.max_header_field_bytes)
      .count("max_header_fields", o.max_header_fields)
      // 0 would refuse every client: a typo, not a policy.
      .check(o.max_connections > 0, "max_connections", "must be at least 1")
      .check(o.max_header_fields > 0, "max_header_fields", "must be at least 1")
      // The whole header is held to max_header_bytes: a field could never
      // be longer, so a larger value would promise what does not happen.
      .check(o.max_header_field_bytes >= 256 && o.max_header_field_bytes <= o.max_header_bytes,
             "max_header_field_bytes",
             "must be between 256 bytes and " + std::to_string(o.max_header_bytes / 1024) +
                 " KiB (the whole header's limit)")
      .listen("tls_listen", o.tls_listen)
      .text("tls_client_ca", o.tls_client_ca)
      .duration("tls_handshake_timeout", handshake_timeout);
  read_proxy_protocol(s, o.proxy);
  bool https = !o.tls_listen.empty();
  s.check(!https || tls.enabled() || tls.self_signed, "tls_listen",
          "HTTPS needs tls.cert and tls.key, or tls.self_signed")
      .check(https || o.tls_client_ca.empty(), "tls_client_ca", "needs http.tls_listen")
      .check(https || handshake_timeout.count() < 0, "tls_handshake_timeout",
             "needs http.tls_listen");
  if (handshake_timeout.count() >= 0) {
    s.check(handshake_timeout.count() > 0, "tls_handshake_timeout", "must be at least 1s");
    o.tls_handshake_timeout = handshake_timeout;
  }
  return file.result(std::move(o));
}

void read_proxy_protocol(ConfigSection& section, ProxyProtocolOptions& o) {
  section.flag("proxy_protocol", o.enabled).list("proxy_from", o.from);
  auto networks = NetworkList::parse(o.from);
  section.check(networks.has_value(), "proxy_from", networks ? "" : networks.error().message)
      .check(o.enabled || o.from.empty(), "proxy_from", "needs proxy_protocol = true");
}

Result<ServerTlsOptions, ConfigError> read_server_tls_options(ConfigFile& file) {
  ServerTlsOptions o;
  auto s = file.section("tls");
  s.text("cert", o.cert).text("key", o.key).flag("self_signed", o.self_signed);
  s.check(o.cert.empty() == o.key.empty(), o.cert.empty() ? "cert" : "key",
          "tls.cert and tls.key go together");
  return file.result(std::move(o));
}

}  // namespace postern::net
