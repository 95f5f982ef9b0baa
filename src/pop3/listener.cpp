// Pop3Server: validates the options, loads the TLS certificate, binds the
// listener and runs the accept loop, which spreads sessions over the
// IoRuntime's contexts; stop() ends the sessions within a grace period.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>

#include "net/listen_address.h"
#include "net/server_tls_context.h"
#include "pop3/server_context.h"

namespace postern::pop3 {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// How long stop() waits for sessions to unwind once they were closed, and
// for the accept loop to notice the closed acceptor.
constexpr std::chrono::seconds kUnwindBound{2};

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
      : io(io), options(std::move(options)), backend(backend), metrics(metrics) {}

  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);

  net::IoRuntime& io;
  Pop3ServerOptions options;
  Backend& backend;
  MetricsRegistry& metrics;
  std::shared_ptr<ServerContext> ctx;
  std::unique_ptr<tcp::acceptor> acceptor;  // lives on io.context(0)
  std::promise<void> accept_loop_done;
  bool started = false;
  bool stopped = false;
};

asio::awaitable<void> Pop3Server::Impl::accept_loop(std::shared_ptr<Impl> self) {
  constexpr auto token = asio::as_tuple(asio::use_awaitable);
  asio::steady_timer backoff(self->acceptor->get_executor());
  for (;;) {
    // Each connection gets the next context, so sessions spread over threads.
    asio::any_io_executor target = self->io.next().get_executor();
    auto [ec, socket] = co_await self->acceptor->async_accept(target, token);
    if (!self->acceptor->is_open() || ec == asio::error::operation_aborted) break;
    if (ec) {
      // EMFILE and the like: wait a little instead of spinning.
      spdlog::warn("pop3: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(token);
      continue;
    }
    start_session(self->ctx, std::move(socket));
  }
  self->accept_loop_done.set_value();
}

Pop3Server::Pop3Server(net::IoRuntime& io, Pop3ServerOptions options, Backend& backend,
                       MetricsRegistry& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), backend, metrics)) {}

Pop3Server::~Pop3Server() { stop(std::chrono::milliseconds(0)); }

Result<std::uint16_t> Pop3Server::start() {
  auto& impl = *impl_;
  if (impl.started) return error_code(Errc::invalid_argument);
  const auto& o = impl.options;
  auto listen = net::parse_listen_address(o.listen);
  boost::system::error_code ec;
  auto address = listen ? asio::ip::make_address(listen->host, ec) : asio::ip::address();
  if (!listen || ec) {
    spdlog::error("pop3: listen: '{}' is not an address:port", o.listen);
    return error_code(Errc::invalid_argument);
  }
  auto ctx = std::make_shared<ServerContext>(o, impl.backend, impl.metrics);
  if (o.tls.enabled() || !o.tls.key.empty()) {
    auto tls = net::make_server_tls_context(o.tls);
    if (!tls) {
      spdlog::error("pop3: {}", tls.error().message);
      return error_code(Errc::invalid_argument);
    }
    ctx->tls = std::move(*tls);
  }
  ctx->policy = policy_of(o, ctx->tls != nullptr);

  tcp::endpoint endpoint(address, listen->port);
  auto acceptor = std::make_unique<tcp::acceptor>(impl.io.context(0));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("pop3: cannot listen on {}: {}", o.listen, ec.message());
    return ec;
  }
  auto port = acceptor->local_endpoint().port();
  impl.ctx = std::move(ctx);
  impl.acceptor = std::move(acceptor);
  impl.started = true;
  asio::co_spawn(impl.acceptor->get_executor(), Impl::accept_loop(impl_), asio::detached);
  spdlog::info("pop3: listening on {} port {}{}", address.to_string(), port,
               impl.ctx->tls ? " (STLS)" : "");
  return port;
}

void Pop3Server::stop(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  auto done = impl.accept_loop_done.get_future();
  asio::post(impl.acceptor->get_executor(), [self = impl_] {
    boost::system::error_code ignored;
    self->acceptor->close(ignored);
  });
  auto& table = impl.ctx->table;
  table.request_stop_all();
  if (!table.wait_empty(std::chrono::steady_clock::now() + grace)) {
    spdlog::warn("pop3: closing {} sessions still open after the grace period", table.size());
    table.force_close_all();
    if (!table.wait_empty(std::chrono::steady_clock::now() + kUnwindBound)) {
      spdlog::error("pop3: {} sessions did not end (is the IoRuntime running?)", table.size());
    }
  }
  done.wait_for(kUnwindBound);
  // Logins and reads still queued are dropped; their sessions are gone.
  impl.ctx->workers.stop();
  impl.ctx->workers.join();
}

std::size_t Pop3Server::session_count() const { return impl_->ctx ? impl_->ctx->table.size() : 0; }

}  // namespace postern::pop3
