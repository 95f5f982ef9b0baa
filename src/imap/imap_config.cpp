// read_imap_config: see imap_config.h.
#include "imap/imap_config.h"

#include "net/net_config.h"

namespace postern::imap {

Result<ImapConfig, ConfigError> read_imap_config(ConfigFile& file, const net::ServerTlsOptions& tls,
                                                 const MessageLimits& limits) {
  ImapConfig c;
  auto& o = c.server;
  o.tls = tls;
  // APPEND takes what SMTP and HTTP take.
  o.max_message_bytes = limits.max_message_bytes;
  auto s = file.section("imap");
  s.listen("listen", o.listen)
      .listen("tls_listen", o.tls_listen)
      .flag("auth_without_tls", o.auth_without_tls)
      .count("max_connections", o.max_connections)
      .count("max_connections_per_address", o.max_connections_per_address)
      .duration("idle_timeout", o.idle_timeout)
      .duration("login_timeout", o.login_timeout)
      .count("max_login_failures", o.max_login_failures)
      .duration("login_failure_delay", o.login_failure_delay)
      .count("max_bad_commands", o.max_bad_commands);
  net::read_proxy_protocol(s, o.proxy);
  // 0 would refuse every client, or every login: a typo, not a policy.
  s.check(o.max_connections > 0, "max_connections", "must be at least 1")
      .check(o.max_connections_per_address > 0, "max_connections_per_address", "must be at least 1")
      .check(o.max_login_failures > 0, "max_login_failures", "must be at least 1")
      .check(o.max_bad_commands > 0, "max_bad_commands", "must be at least 1")
      .check(o.idle_timeout > std::chrono::seconds(0), "idle_timeout", "must be more than 0s")
      .check(o.login_timeout > std::chrono::seconds(0), "login_timeout", "must be more than 0s")
      .check(o.tls_listen.empty() || tls.enabled() || tls.self_signed, "tls_listen",
             "an implicit TLS listener needs tls.cert and tls.key, or tls.self_signed");
  return file.result(std::move(c));
}

}  // namespace postern::imap
