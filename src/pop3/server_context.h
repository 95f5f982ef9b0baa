// Internal to postern_pop3: what every session shares with its listener,
// and the entry point that runs one session. Includes Asio, so only
// session.cpp and listener.cpp include it (compile time; see CMakeLists.txt).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "net/protocol_session.h"
#include "net/server_certificate.h"
#include "net/session_table.h"
#include "pop3/maildrop_locks.h"
#include "pop3/pop3_metrics.h"
#include "pop3/pop3_server.h"
#include "pop3/session_fsm.h"

namespace postern::pop3 {

struct ServerContext {
  ServerContext(const Pop3ServerOptions& options, Backend& backend, MetricsRegistry& metrics)
      : options(options),
        table(options.max_connections, options.max_connections_per_address),
        metrics(metrics),
        backend(backend),
        workers(options.worker_threads == 0 ? 1 : options.worker_threads) {}

  Pop3ServerOptions options;
  SessionPolicy policy;
  net::SessionTable table;
  Pop3Metrics metrics;
  Backend& backend;
  MaildropLocks locks;
  std::shared_ptr<net::ServerCertificate> tls;  // set when a certificate is configured
  net::ProtocolSession::Settings settings;      // the driver's, set with tls
  boost::asio::thread_pool workers;             // logins and message reads
};

// Admits the connection (or refuses it with -ERR) and runs its session on
// the socket's executor. The session keeps `context` alive until it ends.
void start_session(std::shared_ptr<ServerContext> context, boost::asio::ip::tcp::socket socket,
                   net::Peer peer);

}  // namespace postern::pop3
