// read_pop3_config: see pop3_config.h.
#include "pop3/pop3_config.h"

#include "net/net_config.h"

namespace postern::pop3 {

Result<Pop3Config, ConfigError> read_pop3_config(ConfigFile& file,
                                                 const net::ServerTlsOptions& tls) {
  Pop3Config c;
  auto& o = c.server;
  o.tls = tls;
  auto s = file.section("pop3");
  s.listen("listen", o.listen)
      .count("max_connections", o.max_connections)
      .count("max_connections_per_address", o.max_connections_per_address)
      .duration("idle_timeout", o.idle_timeout)
      .duration("login_timeout", o.login_timeout)
      .count("max_login_failures", o.max_login_failures)
      .duration("login_failure_delay", o.login_failure_delay)
      .count("max_errors", o.max_errors);
  net::read_proxy_protocol(s, o.proxy);
  // 0 would refuse every client, or every login: a typo, not a policy.
  s.check(o.max_connections > 0, "max_connections", "must be at least 1")
      .check(o.max_connections_per_address > 0, "max_connections_per_address", "must be at least 1")
      .check(o.max_login_failures > 0, "max_login_failures", "must be at least 1")
      .check(o.max_errors > 0, "max_errors", "must be at least 1")
      .check(o.idle_timeout >= std::chrono::minutes(10), "idle_timeout",
             "must be at least 10m (RFC 1939 §3: the autologout timer is at least 10 minutes)")
      .check(o.login_timeout > std::chrono::seconds(0), "login_timeout", "must be more than 0s");
  return file.result(std::move(c));
}

}  // namespace postern::pop3
