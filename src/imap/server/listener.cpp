// ImapServer: loads the TLS certificate, binds the listeners
// (net::ServerListeners) and starts a session per connection; stop() ends
// the sessions within a grace period.
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
       auth::AccountLogins& logins, MetricsRegistry& metrics, const Clock& clock)
      : options(std::move(options)),
        store(store),
        logins(logins),
        metrics(metrics),
        clock(clock),
        listeners(io, "imap") {}

  ImapServerOptions options;
  store::InboxStore& store;
  auth::AccountLogins& logins;
  MetricsRegistry& metrics;
  const Clock& clock;
  std::shared_ptr<ServerContext> ctx;
  net::ServerListeners listeners;
  bool started = false;
  bool stopped = false;
};

ImapServer::ImapServer(net::IoRuntime& io, ImapServerOptions options, store::InboxStore& store,
                       auth::AccountLogins& logins, MetricsRegistry& metrics, const Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(options), store, logins, metrics, clock)) {}

ImapServer::~ImapServer() { stop(std::chrono::milliseconds(0)); }

Result<ImapServer::Ports> ImapServer::start() {
  auto& impl = *impl_;
  if (impl.started) return error_code(Errc::invalid_argument);
  impl.started = true;
  const auto& o = impl.options;
  auto ctx = std::make_shared<ServerContext>(o, impl.store, impl.logins, impl.metrics, impl.clock);
  auto tls = net::load_server_tls(o.tls, "imap");
  if (!tls) return tls.error();
  ctx->tls = std::move(*tls);
  if (!o.tls_listen.empty() && !ctx->tls) {
    spdlog::error("imap: imap.tls_listen needs a certificate ([tls])");
    return error_code(Errc::invalid_argument);
  }
  ctx->policy = policy_of(o, ctx->tls != nullptr);
  ctx->settings = net::session_settings("imap", *ctx);
  ctx->implicit_tls_settings = ctx->settings;
  ctx->implicit_tls_settings.implicit_tls = true;
  impl.ctx = ctx;
  Ports ports;
  if (auto proxy = impl.listeners.use_proxy_protocol(o.proxy, impl.metrics); !proxy)
    return proxy.error();
  if (!o.listen.empty()) {
    auto port = impl.listeners.open(o.listen, ctx->tls ? " (STARTTLS)" : "",
                                    [ctx](boost::asio::ip::tcp::socket socket, net::Peer peer) {
                                      start_session(ctx, std::move(socket), std::move(peer), false);
                                    });
    if (!port) return port.error();
    ports.plain = *port;
  }
  if (!o.tls_listen.empty()) {
    auto port = impl.listeners.open(o.tls_listen, " (implicit TLS)",
                                    [ctx](boost::asio::ip::tcp::socket socket, net::Peer peer) {
                                      start_session(ctx, std::move(socket), std::move(peer), true);
                                    });
    if (!port) return port.error();
    ports.tls = *port;
  }
  return ports;
}

void ImapServer::stop(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (!impl.ctx || impl.stopped) return;
  impl.stopped = true;
  impl.listeners.stop(impl.ctx->table, grace);
  // Login checks still queued are dropped; their sessions are gone.
  impl.ctx->workers.stop();
  impl.ctx->workers.join();
}

std::size_t ImapServer::session_count() const { return impl_->ctx ? impl_->ctx->table.size() : 0; }

std::shared_ptr<net::ServerCertificate> ImapServer::tls_certificate() const {
  return impl_->ctx ? impl_->ctx->tls : nullptr;
}

}  // namespace postern::imap
