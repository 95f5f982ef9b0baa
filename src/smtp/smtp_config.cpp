#include "smtp/smtp_config.h"

#include "net/net_config.h"

namespace postern::smtp {

std::vector<SmtpServerOptions> SmtpConfig::listeners() const {
  std::vector<SmtpServerOptions> out;
  if (!server.listen.empty()) out.push_back(server);
  if (!tls_listen.empty()) {
    auto& implicit = out.emplace_back(server);
    implicit.listen = tls_listen;
    implicit.implicit_tls = true;
  }
  return out;
}

SmtpServerOptions SmtpConfig::mx_listener(std::string listen) const {
  auto mx = server;
  mx.listen = std::move(listen);
  mx.implicit_tls = false;
  mx.auth_without_tls = false;
  // The MX takes mail from the Internet directly, not through the proxy
  // in front of submission.
  mx.proxy = {};
  return mx;
}

Result<SmtpConfig, ConfigError> read_smtp_config(ConfigFile& file, const net::ServerTlsOptions& tls,
                                                 const MessageLimits& limits) {
  SmtpConfig c;
  auto& o = c.server;
  o.tls = tls;
  o.limits = limits;
  auto s = file.section("smtp");
  s.listen("listen", o.listen)
      .listen("tls_listen", c.tls_listen)
      .list("trusted_networks", o.trusted_networks)
      .text("hostname", o.hostname)
      .flag("auth_without_tls", o.auth_without_tls)
      .count("max_connections", o.max_connections)
      .count("max_connections_per_address", o.max_connections_per_address)
      .duration("idle_timeout", o.idle_timeout)
      .duration("session_timeout", o.session_timeout)
      .count("max_errors", o.max_errors);
  net::read_proxy_protocol(s, o.proxy);
  // 0 would refuse every client: a typo, not a policy.
  s.check(o.max_connections > 0, "max_connections", "must be at least 1")
      .check(c.tls_listen.empty() || tls.enabled() || tls.self_signed, "tls_listen",
             "an implicit TLS listener needs tls.cert and tls.key, or tls.self_signed");
  return file.result(std::move(c));
}

}  // namespace postern::smtp
