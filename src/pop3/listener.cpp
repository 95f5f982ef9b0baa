// Pop3Server: validates the options, loads the TLS certificate, binds the
// listener (net::ServerListeners) and starts a session per connection;
// stop() ends the sessions within a grace period.
#include <spdlog/spdlog.h>

#include "net/server_tls_context.h"
#include "net/tcp_listener.h"
#include "pop3/server_context.h"

namespace postern::pop3 {
namespace {

SessionPolicy policy_of(const Pop3ServerOptions& o, bool tls_loaded) {
  SessionPolicy p;
  p.tls_available = tls_loaded;
  p.max_login_failures = o.max_login_failures;
  p.max_errors = o.max_errors;
  p.default_retention = o.default_retention;
  p.idle_timeout_before_login = o.login_timeout;
  p.idle_timeout = o.idle_timeout;
  return p;
}

}  // namespace

struct Pop3Server::Impl {
  Impl(net::IoRuntime& io, Pop3ServerOptions options, Backend& backend, MetricsRegistry& metrics)
      : options(std::move(options)), backend(backend), metrics(metrics), listeners(io, "pop3") {}

  Pop3ServerOptions options;
  Backend& backend;
  MetricsRegistry& metrics;
  std::shared_ptr<ServerContext> ctx;
  net::ServerListeners listeners;
  bool started = false;
  bool stopped = false;
};

Pop3Server::Pop3Server(net::IoRuntime& io, Pop3ServerOptions options, Backend& backend,
                       MetricsRegistry& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), backend, metrics)) {}

Pop3Server::~Pop3Server() { stop(std::chrono::milliseconds(0)); }

Result<std::uint16_t> Pop3Server::start() {
  auto& impl = *impl_;
  if (impl.started) return error_code(Errc::invalid_argument);
  const auto& o = impl.options;
  auto ctx = std::make_shared<ServerContext>(o, impl.backend, impl.metrics);
  auto tls = net::load_server_tls(o.tls, "pop3");
  if (!tls) return tls.error();
  ctx->tls = std::move(*tls);
  ctx->policy = policy_of(o, ctx->tls != nullptr);
  ctx->settings = net::session_settings("pop3", *ctx);
  if (auto proxy = impl.listeners.use_proxy_protocol(o.proxy, impl.metrics); !proxy)
    return proxy.error();
  auto port = impl.listeners.open(o.listen, ctx->tls ? " (STLS)" : "",
                                  [ctx](boost::asio::ip::tcp::socket socket, net::Peer peer) {
                                    start_session(ctx, std::move(socket), std::move(peer));
                                  });
  if (!port) return port.error();
  impl.started = true;
  impl.ctx = std::move(ctx);
  return *port;
}

void Pop3Server::stop(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (!impl.ctx || impl.stopped) return;
  impl.stopped = true;
  impl.listeners.stop(impl.ctx->table, grace);
  // Logins and reads still queued are dropped; their sessions are gone.
  impl.ctx->workers.stop();
  impl.ctx->workers.join();
}

std::size_t Pop3Server::session_count() const { return impl_->ctx ? impl_->ctx->table.size() : 0; }

std::shared_ptr<net::ServerCertificate> Pop3Server::tls_certificate() const {
  return impl_->ctx ? impl_->ctx->tls : nullptr;
}

}  // namespace postern::pop3
