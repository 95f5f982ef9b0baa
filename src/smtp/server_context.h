// Internal to postern_smtp: what every session shares with its listener, and
// the entry point that runs one session. Includes Asio, so only session.cpp
// and listener.cpp include it (compile time; see CMakeLists.txt).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <optional>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "delivery/intake.h"
#include "net/network_list.h"
#include "net/server_certificate.h"
#include "net/session_table.h"
#include "net/tcp_listener.h"
#include "smtp/session_fsm.h"
#include "smtp/smtp_metrics.h"
#include "smtp/smtp_server.h"

namespace postern::smtp {

using net::SessionTable;

struct ServerContext {
  ServerContext(const SmtpServerOptions& options, net::NetworkList trusted,
                delivery::Intake& intake, auth::Authenticator& authenticator,
                MetricsRegistry& metrics, const Clock& clock)
      : options(options),
        trusted(std::move(trusted)),
        table(options.max_connections, options.max_connections_per_address),
        metrics(metrics),
        intake(intake),
        authenticator(authenticator),
        clock(clock),
        auth_pool(options.auth_threads == 0 ? 1 : options.auth_threads) {}

  SmtpServerOptions options;
  SessionPolicy policy;
  net::NetworkList trusted;
  SessionTable table;
  SmtpMetrics metrics;
  delivery::Intake& intake;
  auth::Authenticator& authenticator;
  const Clock& clock;
  std::shared_ptr<net::ServerCertificate> tls;  // set when a certificate is configured
  boost::asio::thread_pool auth_pool;           // credential checks (Argon2id is slow by design)
};

// Admits the connection (or refuses it with 421) and runs its session on
// the socket's executor. The session keeps `context` alive until it ends.
void start_session(std::shared_ptr<ServerContext> context, boost::asio::ip::tcp::socket socket,
                   net::Peer remote);

}  // namespace postern::smtp
