// ImapServer: loads the TLS certificate, binds the listeners
// (net::TcpListener) and starts a session per connection; stop() ends the
// sessions within a grace period.
#include <spdlog/spdlog.h>

#include "imap/server/server_context.h"
#include "net/server_tls_context.h"
#include "net/tcp_listener.h"

namespace postern::imap {
namespace {

SessionPolicy policy_of(const ImapServerOptions& o, bool tls_loaded) {
  SessionPolicy p;
  p.tls_available = tls_loaded;
  p.auth_without_tls = o.auth_without_tls;
  p.max_login_failures = o.max_login_failures;
  p.max_bad_commands = o.max_bad_commands;
  p.idle_timeout = o.idle_timeout;
  p.idle_timeout_before_login = o.login_timeout;
  p.limits.max_append_literal = o.max_message_bytes;
  return p;
}

}  // namespace

struct ImapServer::Impl {
  Impl(net::IoRuntime& io, ImapServerOptions options, store::InboxStore& store,
       LoginChecker& logins, MetricsRegistry& metrics)
      : io(io), options(std::move(options)), store(store), logins(logins), metrics(metrics) {}

  net::IoRuntime& io;
  ImapServerOptions options;
  store::InboxStore& store;
  LoginChecker& logins;
  MetricsRegistry& metrics;
  std::shared_ptr<ServerContext> ctx;
  std::shared_ptr<net::TcpListener> plain;
  std::shared_ptr<net::TcpListener> implicit;
  bool started = false;
  bool stopped = false;
};

ImapServer::ImapServer(net::IoRuntime& io, ImapServerOptions options, store::InboxStore& store,
                       LoginChecker& logins, MetricsRegistry& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), store, logins, metrics)) {}

ImapServer::~ImapServer() { stop(std::chrono::milliseconds(0)); }

Result<ImapServer::Ports> ImapServer::start() {
  auto& impl = *impl_;
  if (impl.started) return error_code(Errc::invalid_argument);
  impl.started = true;
  const auto& o = impl.options;
  auto ctx = std::make_shared<ServerContext>(o, impl.store, impl.logins, impl.metrics);
  if (o.tls.enabled() || !o.tls.key.empty()) {
    auto tls = net::make_server_tls_context(o.tls);
    if (!tls) {
      spdlog::error("imap: {}", tls.error().message);
      return error_code(Errc::invalid_argument);
    }
    ctx->tls = std::move(*tls);
  }
  if (!o.tls_listen.empty() && !ctx->tls) {
    spdlog::error("imap: imap.tls_listen needs a certificate ([tls])");
    return error_code(Errc::invalid_argument);
  }
  ctx->policy = policy_of(o, ctx->tls != nullptr);
  impl.ctx = ctx;
  Ports ports;
  auto open = [&](const std::string& listen, bool implicit_tls,
                  std::shared_ptr<net::TcpListener>& out) -> Result<std::uint16_t> {
    auto listener = net::TcpListener::bind(impl.io, listen, "imap");
    if (!listener) return listener.error();
    out = std::move(*listener);
    out->start([ctx, implicit_tls](boost::asio::ip::tcp::socket socket) {
      start_session(ctx, std::move(socket), implicit_tls);
    });
    spdlog::info("imap: listening on {} port {}{}", out->address(), out->port(),
                 implicit_tls ? " (implicit TLS)" : (ctx->tls ? " (STARTTLS)" : ""));
    return out->port();
  };
  if (!o.listen.empty()) {
    auto port = open(o.listen, false, impl.plain);
    if (!port) return port.error();
    ports.plain = *port;
  }
  if (!o.tls_listen.empty()) {
    auto port = open(o.tls_listen, true, impl.implicit);
    if (!port) return port.error();
    ports.tls = *port;
  }
  return ports;
}

void ImapServer::stop(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (!impl.ctx || impl.stopped) return;
  impl.stopped = true;
  if (impl.plain) impl.plain->close();
  if (impl.implicit) impl.implicit->close();
  net::stop_sessions(impl.ctx->table, grace, "imap");
  // Login checks still queued are dropped; their sessions are gone.
  impl.ctx->workers.stop();
  impl.ctx->workers.join();
}

std::size_t ImapServer::session_count() const { return impl_->ctx ? impl_->ctx->table.size() : 0; }

}  // namespace postern::imap
