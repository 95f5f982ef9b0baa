// The routing service's life: configuration (at start and on reload) and
// the health timer that runs probes and time-driven changes on an I/O
// thread. The management API's calls are in provider_admin.cpp.
#include "routing/routing_service.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>

#include "net/io_runtime.h"
#include "providers/registry.h"

namespace postern::routing {

namespace asio = boost::asio;

namespace {

constexpr auto kTick = std::chrono::milliseconds(100);
constexpr auto kEventPing = std::chrono::seconds(15);

// With no provider configured, mail goes to the built-in capture provider:
// a fresh `make run` is a working local mail catcher.
std::vector<ProviderConfig> wanted_providers(const RoutingConfig& config) {
  if (!config.providers.empty()) return config.providers;
  ProviderConfig capture;
  capture.name = "capture";
  capture.type = "capture";
  capture.key_path = "providers[default]";
  return {capture};
}

}  // namespace

// The health timer: a coroutine on one I/O thread, shared with the probe
// callbacks (which may answer after stop()).
struct RoutingService::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& c, Router& r, EventBus& e) : context(c), router(r), events(e) {}
  void start();
  void stop();
  static asio::awaitable<void> run(std::shared_ptr<Impl> self);
  void start_probe(Router::ProbeJob job);

  asio::io_context& context;
  Router& router;
  EventBus& events;
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
};

RoutingService::RoutingService(net::IoRuntime& io, const providers::ProviderRegistry& registry,
                               providers::ProviderContext& context, const Clock& clock,
                               MetricsRegistry& metrics, std::uint32_t event_boot)
    : registry_(registry),
      context_(context),
      events_(clock, event_boot),
      router_(clock, metrics, events_),
      impl_(std::make_shared<Impl>(io.context(0), router_, events_)) {}

RoutingService::~RoutingService() { stop(); }

Result<std::unique_ptr<providers::Provider>, RoutingError> RoutingService::build(
    const ProviderConfig& config) const {
  if (!registry_.find(config.type)) {
    std::string known;
    for (const auto& t : registry_.types()) known += (known.empty() ? "" : ", ") + t;
    // "type" as the API names it; apply() prefixes the file's key path.
    return RoutingError{RoutingErrc::invalid, "type",
                        "unknown provider type '" + config.type + "' (known: " + known + ")"};
  }
  auto p = registry_.create(config, context_);
  if (!p) return RoutingError{RoutingErrc::invalid, p.error().key, p.error().message};
  return std::move(*p);
}

Result<std::string, ConfigError> RoutingService::apply(const RoutingConfig& config) {
  std::lock_guard lock(admin_mu_);
  // Everything that can fail first, so that a bad file changes nothing.
  struct Step {
    enum class Kind { add, replace, update } kind;
    ProviderConfig config;
    std::unique_ptr<providers::Provider> provider;
  };
  std::vector<Step> steps;
  std::map<std::string, bool> wanted;
  for (const auto& pc : wanted_providers(config)) {
    wanted[pc.name] = true;
    auto current = router_.config_of(pc.name);
    auto source = router_.source_of(pc.name);
    if (current && source == ProviderSource::config && same_connection(*current, pc)) {
      if (!same_attributes(*current, pc)) steps.push_back({Step::Kind::update, pc, nullptr});
      continue;
    }
    auto provider = build(pc);
    if (!provider) {
      const auto& e = provider.error();
      return ConfigError{e.field == "type" ? pc.key_path + ".type" : e.field, e.message};
    }
    steps.push_back({current ? Step::Kind::replace : Step::Kind::add, pc, std::move(*provider)});
  }
  router_.set_options(config.router);
  std::size_t added = 0, changed = 0, removed = 0;
  for (auto& step : steps) {
    switch (step.kind) {
      case Step::Kind::add:
        router_.add(std::move(step.provider), std::move(step.config), ProviderSource::config);
        ++added;
        break;
      case Step::Kind::replace:
        router_.replace(std::move(step.provider), std::move(step.config), ProviderSource::config);
        ++changed;
        break;
      case Step::Kind::update:
        router_.update(step.config);
        ++changed;
        break;
    }
  }
  for (const auto& name : router_.names(ProviderSource::config)) {
    if (!wanted.contains(name)) {
      router_.remove(name);
      ++removed;
    }
  }
  router_.check_routed_pools();
  std::string summary = "providers: " + std::to_string(added) + " added, " +
                        std::to_string(changed) + " changed, " + std::to_string(removed) +
                        " removed; strategy " + config.router.strategy + ", " +
                        std::to_string(config.router.routes.rules().size()) + " routes";
  return Result<std::string, ConfigError>(boost::system::in_place_value, std::move(summary));
}

void RoutingService::start() { impl_->start(); }

void RoutingService::stop() { impl_->stop(); }

// --- the health timer ------------------------------------------------------

void RoutingService::Impl::start() {
  if (running.exchange(true)) return;
  asio::co_spawn(context, run(shared_from_this()), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::critical("routing: health timer failed: {}", ex.what());
    }
  });
}

void RoutingService::Impl::stop() {
  if (!running.exchange(false)) return;
  stopping = true;
}

asio::awaitable<void> RoutingService::Impl::run(std::shared_ptr<Impl> self) {
  asio::steady_timer timer(self->context);
  while (!self->stopping) {
    timer.expires_after(kTick);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (self->stopping) break;
    self->router.tick();
    for (auto& job : self->router.due_probes()) self->start_probe(std::move(job));
    self->events.keepalive(kEventPing);
  }
}

// Runs one probe with the configured timeout. Whichever comes first, the
// answer or the timeout, is the result; the other is ignored.
void RoutingService::Impl::start_probe(Router::ProbeJob job) {
  struct Call {
    Router::ProbeJob job;
    std::atomic<bool> done{false};
    asio::steady_timer timer;
    Call(Router::ProbeJob j, asio::io_context& c) : job(std::move(j)), timer(c) {}
  };
  auto timeout = router.options().probe.timeout;
  auto call = std::make_shared<Call>(std::move(job), context);
  auto self = shared_from_this();
  call->timer.expires_after(timeout);
  call->timer.async_wait([self, call, timeout](const boost::system::error_code& ec) {
    if (ec || call->done.exchange(true)) return;
    providers::ProbeResult r;
    r.healthy = false;
    r.failure_class = providers::FailureClass::provider_down;
    r.detail = "no answer within " + std::to_string(timeout.count()) + " ms";
    r.latency = std::chrono::duration_cast<std::chrono::microseconds>(timeout);
    self->router.probe_finished(*call->job.slot, call->job.id, r);
  });
  call->job.slot->provider().probe([self, call](providers::ProbeResult r) {
    if (call->done.exchange(true)) return;
    self->router.probe_finished(*call->job.slot, call->job.id, r);
    // The timer belongs to its io_context's thread: cancel it there.
    asio::post(self->context, [call] { call->timer.cancel(); });
  });
}

}  // namespace postern::routing
