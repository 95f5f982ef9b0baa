// The POP3 server of the test inbox (RFC 1939, RFC 2449, STLS of RFC 2595):
// accepts connections on one listener, runs one coroutine session per
// connection on the IoRuntime, logs in through a Backend (checks and
// storage reads run on a small worker pool, off the I/O threads), and
// holds the per-account maildrop locks. Built by the composition root.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/metrics.h"
#include "net/io_runtime.h"
#include "net/proxy_options.h"
#include "net/server_tls_options.h"
#include "pop3/maildrop.h"

namespace postern::net {
class ServerCertificate;
}

namespace postern::pop3 {

struct Pop3ServerOptions {
  std::string listen = "127.0.0.1:1110";  // host:port or [v6]:port; port 0 picks a free one
  // PEM certificate chain and key ([tls]). Empty: no STLS.
  net::ServerTlsOptions tls;
  net::ProxyProtocolOptions proxy;  // pop3.proxy_protocol, pop3.proxy_from
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_address = 20;
  // RFC 1939 §3: the autologout timer is at least 10 minutes once logged
  // in; before login a client has less time to say who it is.
  std::chrono::seconds idle_timeout{600};
  std::chrono::seconds login_timeout{60};
  // Failed PASS before the connection is closed, and the wait before each
  // failure is answered (it slows guessing; other sessions go on).
  std::size_t max_login_failures = 3;
  std::chrono::milliseconds login_failure_delay{1000};
  std::size_t max_errors = 20;  // protocol errors before -ERR and disconnect
  // CAPA EXPIRE before login: the inbox's default retention (set by the
  // composition root from [inbox]; each account may have its own).
  std::chrono::seconds default_retention{7 * 24 * 3600};
  unsigned worker_threads = 2;  // logins (Argon2id) and message reads
};

class Pop3Server {
 public:
  // References must outlive the server, and the IoRuntime must keep
  // running until stop() returns. Nothing is opened before start().
  Pop3Server(net::IoRuntime& io, Pop3ServerOptions options, Backend& backend,
             MetricsRegistry& metrics);
  // Calls stop(0) when still running.
  ~Pop3Server();
  Pop3Server(const Pop3Server&) = delete;
  Pop3Server& operator=(const Pop3Server&) = delete;

  // Validates the options (listen address, TLS files), binds and starts
  // accepting. Returns the bound port. Errors: Errc::invalid_argument for a
  // bad option (the log names it), or the bind's error_code. Call once.
  Result<std::uint16_t> start();

  // Stops accepting; sessions get -ERR [SYS/TEMP] at their next command
  // (one waiting for its deletions to be committed finishes first), and
  // those still open after `grace` are closed. Sessions that did not QUIT
  // remove nothing. Must not be called from an IoRuntime thread. Idempotent.
  void stop(std::chrono::milliseconds grace);

  std::size_t session_count() const;
  // The certificate once started, for reloads (SIGHUP); null without one.
  std::shared_ptr<net::ServerCertificate> tls_certificate() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::pop3
