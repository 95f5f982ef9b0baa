// Internal to postern_imap_server: what every session shares with its
// listeners, and the entry point that runs one session. Includes Asio, so
// only session.cpp and listener.cpp include it (compile time).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "imap/server/imap_metrics.h"
#include "imap/server/imap_server.h"
#include "imap/session/recent_table.h"
#include "imap/session/session_fsm.h"
#include "net/protocol_session.h"
#include "net/server_certificate.h"
#include "net/session_table.h"

namespace postern::imap {

struct ServerContext {
  ServerContext(const ImapServerOptions& options, store::InboxStore& store,
                auth::AccountLogins& logins, MetricsRegistry& metrics, const Clock& clock)
      : options(options),
        table(options.max_connections, options.max_connections_per_address),
        metrics(metrics),
        store(store),
        logins(logins),
        clock(clock),
        workers(options.worker_threads == 0 ? 1 : options.worker_threads) {}

  ImapServerOptions options;
  SessionPolicy policy;
  net::SessionTable table;
  ImapMetrics metrics;
  store::InboxStore& store;
  auth::AccountLogins& logins;
  const Clock& clock;
  RecentTable recent;
  std::shared_ptr<net::ServerCertificate> tls;  // set when a certificate is configured
  // The driver's settings for sessions of the plain and of the implicit-TLS
  // listener (set with tls).
  net::ProtocolSession::Settings settings;
  net::ProtocolSession::Settings implicit_tls_settings;
  boost::asio::thread_pool workers;  // login checks
};

// Admits the connection (or refuses it with * BYE) and runs its session on
// the socket's executor; `implicit_tls` starts with the TLS handshake. The
// session keeps `context` alive until it ends.
void start_session(std::shared_ptr<ServerContext> context, boost::asio::ip::tcp::socket socket,
                   net::Peer peer, bool implicit_tls);

}  // namespace postern::imap
