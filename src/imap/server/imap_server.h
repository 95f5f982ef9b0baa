// The IMAP server of the test inbox (RFC 3501): accepts connections on its
// listeners (plain with STARTTLS, and implicit TLS), runs one coroutine
// driver per connection around the sans-io SessionFsm, checks logins on a
// small worker pool (Argon2id, off the I/O threads) and runs the session's
// store writes through the store's completions. One RecentTable per
// server, shared by every session of both listeners. Built by the
// composition root.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "auth/account_logins.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
#include "net/io_runtime.h"
#include "net/proxy_options.h"
#include "net/server_tls_options.h"
#include "store/inbox_store.h"

namespace postern::net {
class ServerCertificate;
}

namespace postern::imap {

struct ImapServerOptions {
  // host:port or [v6]:port; port 0 picks a free one; "" = none.
  std::string listen = "127.0.0.1:1143";
  std::string tls_listen;           // implicit TLS from the first byte; "" = none
  net::ProxyProtocolOptions proxy;  // imap.proxy_protocol, imap.proxy_from: both listeners
  // PEM certificate chain and key ([tls]). Empty: no STARTTLS, and no
  // tls_listen.
  net::ServerTlsOptions tls;
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_address = 20;
  // RFC 3501 §5.4: the autologout timer is at least 30 minutes once logged
  // in; before login a client has less time to say who it is.
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds login_timeout{60};
  // Failed logins before * BYE, and the wait before each failure is
  // answered (it slows guessing; other sessions go on), as POP3's.
  std::size_t max_login_failures = 5;
  std::chrono::milliseconds login_failure_delay{1000};
  std::size_t max_bad_commands = 20;
  // APPEND's literal ([messages] max_message_bytes).
  std::size_t max_message_bytes = 25 * 1024 * 1024;
  // Offer LOGIN on plaintext connections from other hosts too.
  bool auth_without_tls = false;
  unsigned worker_threads = 2;  // logins (Argon2id)
};

class ImapServer {
 public:
  struct Ports {
    std::uint16_t plain = 0;  // 0: no such listener
    std::uint16_t tls = 0;
  };

  // References must outlive the server, and the IoRuntime must keep
  // running until stop() returns. Nothing is opened before start().
  ImapServer(net::IoRuntime& io, ImapServerOptions options, store::InboxStore& store,
             auth::AccountLogins& logins, MetricsRegistry& metrics, const Clock& clock);
  // Calls stop(0) when still running.
  ~ImapServer();
  ImapServer(const ImapServer&) = delete;
  ImapServer& operator=(const ImapServer&) = delete;

  // Loads the certificate, binds the listeners and starts accepting.
  // Errors: Errc::invalid_argument for a bad option (logged), or a bind's
  // error_code. Call once.
  Result<Ports> start();

  // Stops accepting; each session says `* BYE` at its next read (a command
  // under way is answered first), and those still open after `grace` are
  // closed. Must not be called from an IoRuntime thread. Idempotent.
  void stop(std::chrono::milliseconds grace);

  std::size_t session_count() const;
  // The certificate once started, for reloads (SIGHUP); null without one.
  std::shared_ptr<net::ServerCertificate> tls_certificate() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::imap
