// SmtpServer: validates the options, loads the TLS certificate, binds the
// listener (net::TcpListener) and starts a session per connection; stop()
// drains the sessions within a grace period.
#include <spdlog/spdlog.h>

#include "net/server_tls_context.h"
#include "net/tcp_listener.h"
#include "smtp/server_context.h"

namespace postern::smtp {
namespace {

Result<void> load_tls(ServerContext& ctx) {
  const auto& o = ctx.options;
  if (o.tls.cert.empty() && o.tls.key.empty()) {
    if (o.implicit_tls) {
      spdlog::error("smtp: implicit_tls needs a TLS certificate and key");
      return error_code(Errc::invalid_argument);
    }
    return {};
  }
  auto tls = net::make_server_tls_context(o.tls);
  if (!tls) {
    spdlog::error("smtp: {}", tls.error().message);
    return error_code(Errc::invalid_argument);
  }
  ctx.tls = std::move(*tls);
  return {};
}

SessionPolicy policy_of(const SmtpServerOptions& o, bool tls_loaded,
                        const std::optional<MxPolicy>& mx) {
  SessionPolicy p;
  p.hostname = o.hostname;
  p.max_message_bytes = o.limits.max_message_bytes;
  p.max_recipients = o.limits.max_recipients;
  p.max_errors = o.max_errors;
  p.max_junk_commands = o.max_junk_commands;
  p.tls_available = tls_loaded;
  p.auth_without_tls = o.auth_without_tls;
  p.mx = mx;
  return p;
}

}  // namespace

struct SmtpServer::Impl {
  Impl(net::IoRuntime& io, SmtpServerOptions options, delivery::Intake& intake,
       auth::Authenticator& authenticator, MetricsRegistry& metrics, const Clock& clock,
       std::optional<MxPolicy> mx)
      : io(io),
        options(std::move(options)),
        intake(intake),
        authenticator(authenticator),
        metrics(metrics),
        clock(clock),
        mx(std::move(mx)) {}

  net::IoRuntime& io;
  SmtpServerOptions options;
  delivery::Intake& intake;
  auth::Authenticator& authenticator;
  MetricsRegistry& metrics;
  const Clock& clock;
  std::optional<MxPolicy> mx;
  std::shared_ptr<ServerContext> ctx;
  std::shared_ptr<net::TcpListener> listener;
  bool stopped = false;
};

SmtpServer::SmtpServer(net::IoRuntime& io, SmtpServerOptions options, delivery::Intake& intake,
                       auth::Authenticator& authenticator, MetricsRegistry& metrics,
                       const Clock& clock, std::optional<MxPolicy> mx)
    : impl_(std::make_shared<Impl>(io, std::move(options), intake, authenticator, metrics, clock,
                                   std::move(mx))) {}

SmtpServer::~SmtpServer() { stop(std::chrono::milliseconds(0)); }

Result<std::uint16_t> SmtpServer::start() {
  auto& impl = *impl_;
  if (impl.listener) return error_code(Errc::invalid_argument);
  const auto& o = impl.options;
  auto trusted = NetworkList::parse(o.trusted_networks);
  if (!trusted) {
    spdlog::error("smtp: trusted_networks: {}", trusted.error().message);
    return error_code(Errc::invalid_argument);
  }
  auto ctx = std::make_shared<ServerContext>(o, std::move(*trusted), impl.intake,
                                             impl.authenticator, impl.metrics, impl.clock);
  if (auto loaded = load_tls(*ctx); !loaded) return loaded.error();
  ctx->policy = policy_of(o, ctx->tls != nullptr, impl.mx);
  auto listener = net::TcpListener::bind(impl.io, o.listen, "smtp");
  if (!listener) return listener.error();
  impl.ctx = std::move(ctx);
  impl.listener = std::move(*listener);
  impl.listener->start([ctx = impl.ctx](boost::asio::ip::tcp::socket socket) {
    start_session(ctx, std::move(socket));
  });
  spdlog::info("smtp: listening on {} port {}{}{}{}", impl.listener->address(),
               impl.listener->port(), impl.mx ? " as the MX of " + impl.mx->domain : "",
               o.implicit_tls  ? " (implicit TLS)"
               : impl.ctx->tls ? " (STARTTLS)"
                               : "",
               o.auth_without_tls && !impl.mx ? ", AUTH without TLS allowed" : "");
  return impl.listener->port();
}

void SmtpServer::stop(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (!impl.listener || impl.stopped) return;
  impl.stopped = true;
  impl.listener->close();
  net::stop_sessions(impl.ctx->table, grace, "smtp");
  // Credential checks still queued are dropped; their sessions are gone.
  impl.ctx->auth_pool.stop();
  impl.ctx->auth_pool.join();
}

std::size_t SmtpServer::session_count() const { return impl_->ctx ? impl_->ctx->table.size() : 0; }

}  // namespace postern::smtp
