// The SMTP submission server (RFC 5321, RFC 6409): accepts connections on
// one listener, runs one coroutine session per connection on the IoRuntime,
// and hands each message to delivery::Intake, answering 250 only once it is
// durable. Built by the composition root (src/app).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/abuse_limits.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/message_json.h"
#include "core/metrics.h"
#include "delivery/intake.h"
#include "net/io_runtime.h"
#include "net/proxy_options.h"
#include "net/server_tls_options.h"
#include "smtp/mx_policy.h"

namespace postern::net {
class ServerCertificate;
}

namespace postern::smtp {

struct SmtpServerOptions {
  std::string listen = "127.0.0.1:2525";  // host:port or [v6]:port; port 0 picks a free one
  std::string hostname = "localhost";     // in the greeting, EHLO and Received headers
  // CIDR blocks whose clients may submit without AUTH.
  std::vector<std::string> trusted_networks = {"127.0.0.0/8", "::1/128"};

  // TLS: PEM certificate chain and key. Empty: no STARTTLS, no implicit TLS.
  net::ServerTlsOptions tls;
  bool implicit_tls = false;        // RFC 8314 port-465 style: TLS from the first byte
  net::ProxyProtocolOptions proxy;  // smtp.proxy_protocol, smtp.proxy_from
  bool auth_without_tls = false;    // offer AUTH on unencrypted connections (explicit opt-in)

  // max_message_bytes (announced in SIZE) and max_recipients apply.
  MessageLimits limits;
  std::size_t max_errors = 20;          // 5xx replies before 421 and disconnect
  std::size_t max_junk_commands = 100;  // NOOP/RSET/VRFY/HELP/EHLO between messages
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_address = 100;  // trusted networks are exempt

  // RFC 5321 §4.5.3.2.7 asks for at least 5 minutes between commands.
  std::chrono::seconds idle_timeout{300};
  std::chrono::seconds session_timeout{3600};  // whole connection, however busy
  unsigned auth_threads = 2;                   // Argon2id checks run here, off the I/O threads
};

class SmtpServer {
 public:
  // References must outlive the server, and the IoRuntime must keep running
  // until stop() returns. Nothing is opened before start(). With `mx` the
  // listener is an MX (no AUTH, mail only for `mx`'s domain, caught);
  // `authenticator` is then never asked.
  SmtpServer(net::IoRuntime& io, SmtpServerOptions options, delivery::Intake& intake,
             auth::Authenticator& authenticator, MetricsRegistry& metrics, const Clock& clock,
             std::optional<MxPolicy> mx = std::nullopt);
  // Calls stop(0) when still running.
  ~SmtpServer();
  // Applies the abuse limits (messages per minute per user, delays after
  // failed AUTH); `limits` must outlive the server. Before start().
  void limit_with(auth::AbuseLimits& limits);
  // Charges message content to `budget` (limits.inflight_bytes) as it is
  // received, until it is stored; 452 4.3.1 past it. `budget` must outlive
  // the server. Before start().
  void charge_content_to(InflightBudget& budget);
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Validates the options (trusted networks, TLS files), binds and starts
  // accepting. Returns the bound port. Errors: Errc::invalid_argument for a
  // bad option (the log names it), or the bind's error_code. Call once.
  Result<std::uint16_t> start();

  // Stops accepting, lets sessions finish the message they are receiving or
  // storing (up to `grace`) while idle ones get 421 4.3.2, then closes the
  // rest. Blocks until every session has ended (or a short bound after
  // `grace` when the IoRuntime no longer runs). Must not be called from an
  // IoRuntime thread. Idempotent.
  void stop(std::chrono::milliseconds grace);

  std::size_t session_count() const;
  // The certificate once started, for reloads (SIGHUP); null without one.
  std::shared_ptr<net::ServerCertificate> tls_certificate() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::smtp
