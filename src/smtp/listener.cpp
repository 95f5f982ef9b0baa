// SmtpServer: validates the options, loads the TLS certificate, binds the
// listener (net::ServerListeners) and starts a session per connection; stop()
// drains the sessions within a grace period.
#include <spdlog/spdlog.h>

#include "net/server_tls_context.h"
#include "net/tcp_listener.h"
#include "smtp/server_context.h"

namespace postern::smtp {
namespace {

// The certificate, when [tls] names one; implicit TLS cannot do without.
Result<void> load_tls(ServerContext& ctx) {
  const auto& o = ctx.options;
  auto tls = net::load_server_tls(o.tls, "smtp");
  if (!tls) return tls.error();
  ctx.tls = std::move(*tls);
  if (o.implicit_tls && !ctx.tls) {
    spdlog::error("smtp: implicit_tls needs a TLS certificate and key");
    return error_code(Errc::invalid_argument);
  }
  return {};
}

SessionPolicy policy_of(const SmtpServerOptions& o, bool tls_loaded,
                        const std::optional<MxPolicy>& mx, auth::AbuseLimits* limits,
                        InflightBudget* budget) {
  SessionPolicy p;
  p.hostname = o.hostname;
  p.max_message_bytes = o.limits.max_message_bytes;
  p.max_recipients = o.limits.max_recipients;
  p.max_errors = o.max_errors;
  p.max_junk_commands = o.max_junk_commands;
  p.tls_available = tls_loaded;
  p.auth_without_tls = o.auth_without_tls;
  p.mx = mx;
  p.limits = limits;
  p.budget = budget;
  return p;
}

}  // namespace

struct SmtpServer::Impl {
  Impl(net::IoRuntime& io, SmtpServerOptions options, delivery::Intake& intake,
       auth::Authenticator& authenticator, MetricsRegistry& metrics, const Clock& clock,
       std::optional<MxPolicy> mx)
      : options(std::move(options)),
        intake(intake),
        authenticator(authenticator),
        metrics(metrics),
        clock(clock),
        mx(std::move(mx)),
        listeners(io, "smtp") {}

  SmtpServerOptions options;
  delivery::Intake& intake;
  auth::Authenticator& authenticator;
  MetricsRegistry& metrics;
  const Clock& clock;
  std::optional<MxPolicy> mx;
  auth::AbuseLimits* limits = nullptr;
  InflightBudget* budget = nullptr;
  std::shared_ptr<ServerContext> ctx;
  net::ServerListeners listeners;
  bool started = false;
  bool stopped = false;
};

SmtpServer::SmtpServer(net::IoRuntime& io, SmtpServerOptions options, delivery::Intake& intake,
                       auth::Authenticator& authenticator, MetricsRegistry& metrics,
                       const Clock& clock, std::optional<MxPolicy> mx)
    : impl_(std::make_shared<Impl>(io, std::move(options), intake, authenticator, metrics, clock,
                                   std::move(mx))) {}

SmtpServer::~SmtpServer() { stop(std::chrono::milliseconds(0)); }

void SmtpServer::limit_with(auth::AbuseLimits& limits) { impl_->limits = &limits; }

void SmtpServer::charge_content_to(InflightBudget& budget) { impl_->budget = &budget; }

Result<std::uint16_t> SmtpServer::start() {
  auto& impl = *impl_;
  if (impl.started) return error_code(Errc::invalid_argument);
  const auto& o = impl.options;
  auto trusted = net::NetworkList::parse(o.trusted_networks);
  if (!trusted) {
    spdlog::error("smtp: trusted_networks: {}", trusted.error().message);
    return error_code(Errc::invalid_argument);
  }
  auto ctx = std::make_shared<ServerContext>(o, std::move(*trusted), impl.intake,
                                             impl.authenticator, impl.metrics, impl.clock);
  if (auto loaded = load_tls(*ctx); !loaded) return loaded.error();
  ctx->policy = policy_of(o, ctx->tls != nullptr, impl.mx, impl.limits, impl.budget);
  std::string note = impl.mx ? " as the MX of " + impl.mx->domain : "";
  note += o.implicit_tls ? " (implicit TLS)" : ctx->tls ? " (STARTTLS)" : "";
  if (o.auth_without_tls && !impl.mx) note += ", AUTH without TLS allowed";
  if (auto proxy = impl.listeners.use_proxy_protocol(o.proxy, impl.metrics); !proxy)
    return proxy.error();
  auto port = impl.listeners.open(o.listen, note,
                                  [ctx](boost::asio::ip::tcp::socket socket, net::Peer peer) {
                                    start_session(ctx, std::move(socket), std::move(peer));
                                  });
  if (!port) return port.error();
  impl.started = true;
  impl.ctx = std::move(ctx);
  return *port;
}

void SmtpServer::stop(std::chrono::milliseconds grace) {
  auto& impl = *impl_;
  if (!impl.ctx || impl.stopped) return;
  impl.stopped = true;
  impl.listeners.stop(impl.ctx->table, grace);
  // Credential checks still queued are dropped; their sessions are gone.
  impl.ctx->auth_pool.stop();
  impl.ctx->auth_pool.join();
}

std::size_t SmtpServer::session_count() const { return impl_->ctx ? impl_->ctx->table.size() : 0; }

std::shared_ptr<net::ServerCertificate> SmtpServer::tls_certificate() const {
  return impl_->ctx ? impl_->ctx->tls : nullptr;
}

}  // namespace postern::smtp
