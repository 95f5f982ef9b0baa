// SmtpServer: validates the options, loads the TLS certificate, binds the
// listener and runs the accept loop, which spreads sessions over the
// IoRuntime's contexts; stop() drains the sessions within a grace period.
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
#include "smtp/server_context.h"

namespace postern::smtp {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// How long stop() waits for sessions to unwind once they were closed, and
// for the accept loop to notice the closed acceptor.
constexpr std::chrono::seconds kUnwindBound{2};

Result<void> load_tls(ServerContext& ctx) {
  const auto& o = ctx.options;
  if (o.tls.cert.empty() && o.tls.key.empty()) {
    if (o.implicit_tls) {
      spdlog::error("smtp: implicit_tls needs a TLS certificate and key");
      return error_code(Errc::invalid_argument);
    }
    return {};
  }
  if (o.tls.cert.empty() || o.tls.key.empty()) {
    spdlog::error("smtp: TLS needs both a certificate and a key");
    return error_code(Errc::invalid_argument);
  }
  auto& tls = ctx.tls.emplace(asio::ssl::context::tls_server);
  // RFC 8996: nothing older than TLS 1.2.
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  tls.use_certificate_chain_file(o.tls.cert, ec);
  if (ec) {
    spdlog::error("smtp: cannot load TLS certificate {}: {}", o.tls.cert, ec.message());
    return error_code(Errc::invalid_argument);
  }
  tls.use_private_key_file(o.tls.key, asio::ssl::context::pem, ec);
  if (ec) {
    spdlog::error("smtp: cannot load TLS key {}: {}", o.tls.key, ec.message());
    return error_code(Errc::invalid_argument);
  }
  return {};
}

SessionPolicy policy_of(const SmtpServerOptions& o, bool tls_loaded) {
  SessionPolicy p;
  p.hostname = o.hostname;
  p.max_message_bytes = o.limits.max_message_bytes;
  p.max_recipients = o.limits.max_recipients;
  p.max_errors = o.max_errors;
  p.max_junk_commands = o.max_junk_commands;
  p.tls_available = tls_loaded;
  p.auth_without_tls = o.auth_without_tls;
  return p;
}

}  // namespace

struct SmtpServer::Impl {
  Impl(net::IoRuntime& io, SmtpServerOptions options, delivery::Intake& intake,
       auth::Authenticator& authenticator, MetricsRegistry& metrics, const Clock& clock)
      : io(io),
        options(std::move(options)),
        intake(intake),
        authenticator(authenticator),
        metrics(metrics),
        clock(clock) {}

  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);

  net::IoRuntime& io;
  SmtpServerOptions options;
  delivery::Intake& intake;
  auth::Authenticator& authenticator;
  MetricsRegistry& metrics;
  const Clock& clock;
  std::shared_ptr<ServerContext> ctx;
  std::unique_ptr<tcp::acceptor> acceptor;  // lives on io.context(0)
  std::promise<void> accept_loop_done;
  bool started = false;
  bool stopped = false;
};

asio::awaitable<void> SmtpServer::Impl::accept_loop(std::shared_ptr<Impl> self) {
  constexpr auto token = asio::as_tuple(asio::use_awaitable);
  asio::steady_timer backoff(self->acceptor->get_executor());
  for (;;) {
    // Each connection gets the next context, so sessions spread over threads.
    asio::any_io_executor target = self->io.next().get_executor();
    auto [ec, socket] = co_await self->acceptor->async_accept(target, token);
    if (!self->acceptor->is_open() || ec == asio::error::operation_aborted) break;
    if (ec) {
      // EMFILE and the like: wait a little instead of spinning.
      spdlog::warn("smtp: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(token);
      continue;
    }
    start_session(self->ctx, std::move(socket));
  }
  self->accept_loop_done.set_value();
}

SmtpServer::SmtpServer(net::IoRuntime& io, SmtpServerOptions options, delivery::Intake& intake,
                       auth::Authenticator& authenticator, MetricsRegistry& metrics,
                       const Clock& clock)
    : impl_(std::make_shared<Impl>(io, std::move(options), intake, authenticator, metrics, clock)) {
}

SmtpServer::~SmtpServer() { stop(std::chrono::milliseconds(0)); }

Result<std::uint16_t> SmtpServer::start() {
  auto& impl = *impl_;
  if (impl.started) return error_code(Errc::invalid_argument);
  const auto& o = impl.options;
  auto trusted = NetworkList::parse(o.trusted_networks);
  if (!trusted) {
    spdlog::error("smtp: trusted_networks: {}", trusted.error().message);
    return error_code(Errc::invalid_argument);
  }
  auto listen = net::parse_listen_address(o.listen);
  boost::system::error_code ec;
  auto address = listen ? asio::ip::make_address(listen->host, ec) : asio::ip::address();
  if (!listen || ec) {
    spdlog::error("smtp: listen: '{}' is not an address:port", o.listen);
    return error_code(Errc::invalid_argument);
  }
  auto ctx = std::make_shared<ServerContext>(o, std::move(*trusted), impl.intake,
                                             impl.authenticator, impl.metrics, impl.clock);
  if (auto loaded = load_tls(*ctx); !loaded) return loaded.error();
  ctx->policy = policy_of(o, ctx->tls.has_value());

  tcp::endpoint endpoint(address, listen->port);
  auto acceptor = std::make_unique<tcp::acceptor>(impl.io.context(0));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("smtp: cannot listen on {}: {}", o.listen, ec.message());
    return ec;
  }
  auto port = acceptor->local_endpoint().port();
  impl.ctx = std::move(ctx);
  impl.acceptor = std::move(acceptor);
  impl.started = true;
  asio::co_spawn(impl.acceptor->get_executor(), Impl::accept_loop(impl_), asio::detached);
  spdlog::info("smtp: listening on {} port {}{}{}", address.to_string(), port,
               o.implicit_tls  ? " (implicit TLS)"
               : impl.ctx->tls ? " (STARTTLS)"
                               : "",
               o.auth_without_tls ? ", AUTH without TLS allowed" : "");
  return port;
}

void SmtpServer::stop(std::chrono::milliseconds grace) {
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
    spdlog::warn("smtp: closing {} sessions still open after the grace period", table.size());
    table.force_close_all();
    if (!table.wait_empty(std::chrono::steady_clock::now() + kUnwindBound)) {
      spdlog::error("smtp: {} sessions did not end (is the IoRuntime running?)", table.size());
    }
  }
  done.wait_for(kUnwindBound);
  // Credential checks still queued are dropped; their sessions are gone.
  impl.ctx->auth_pool.stop();
  impl.ctx->auth_pool.join();
}

std::size_t SmtpServer::session_count() const { return impl_->ctx ? impl_->ctx->table.size() : 0; }

}  // namespace postern::smtp
