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
#include <future>
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
  std::shared_ptr<HealthShare> health_share;  // set before start()
  std::atomic<bool> running{false};
  std::atomic<bool> stopping{false};
};

RoutingService::RoutingService(net::IoRuntime& io, const providers::ProviderRegistry& registry,
                               providers::ProviderContext& context, const Clock& clock,
                               MetricsRegistry& metrics, std::uint32_t event_boot)
    : registry_(registry),
      context_(context),
      clock_(clock),
      events_(clock, event_boot),
      router_(clock, metrics, events_),
      watch_(kPeerSyncPeriod, [this] { sync(); }),
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
  if (!applied_) {
    if (auto loaded = load_stored(); !loaded) return loaded.error();
  }
  auto file_providers = wanted_providers(config);
  auto layered = overlay(file_providers, config.router, stored_, settings_);
  auto counts = merge_file(layered);
  if (!counts) return counts.error();
  std::size_t restored = applied_ ? 0 : restore_runtime(layered.runtime);
  for (const auto& [name, admin] : layered.admin) router_.set_admin(name, admin);
  file_order_ = file_providers;
  file_providers_.clear();
  for (auto& pc : file_providers) file_providers_[pc.name] = std::move(pc);
  file_router_ = config.router;
  applied_ = true;
  ++local_changes_;  // a reload under way may not see the rows saved here
  save_now(layered.cleanup);
  router_.check_routed_pools();
  auto options = router_.options();
  std::string summary = "providers: " + std::to_string(counts->added) + " added, " +
                        std::to_string(counts->changed) + " changed, " +
                        std::to_string(counts->removed) + " removed; strategy " + options.strategy +
                        ", " + std::to_string(options.routes.rules().size()) + " routes";
  if (restored > 0) summary += "; " + std::to_string(restored) + " run-time providers restored";
  return Result<std::string, ConfigError>(boost::system::in_place_value, std::move(summary));
}

Result<RoutingService::Counts, ConfigError> RoutingService::merge_file(const Overlay& layered) {
  // Everything that can fail first, so that a bad file changes nothing.
  struct Step {
    enum class Kind { add, replace, update } kind;
    ProviderConfig config;
    std::unique_ptr<providers::Provider> provider;
  };
  std::vector<Step> steps;
  std::map<std::string, bool> wanted;
  for (const auto& pc : layered.file_providers) {
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
  router_.set_options(layered.router);
  Counts counts;
  for (auto& step : steps) {
    switch (step.kind) {
      case Step::Kind::add:
        router_.add(std::move(step.provider), std::move(step.config), ProviderSource::config);
        ++counts.added;
        break;
      case Step::Kind::replace:
        router_.replace(std::move(step.provider), std::move(step.config), ProviderSource::config);
        ++counts.changed;
        break;
      case Step::Kind::update:
        router_.update(step.config);
        ++counts.changed;
        break;
    }
  }
  for (const auto& name : router_.names(ProviderSource::config)) {
    if (!wanted.contains(name)) {
      router_.remove(name);
      ++counts.removed;
    }
  }
  return counts;
}

Result<void, ConfigError> RoutingService::load_stored() {
  if (!store_) return {};
  auto rows = store_->load();
  if (!rows) {
    return ConfigError{"store", "cannot read the providers and routing changed at run time: " +
                                    rows.error().message()};
  }
  for (auto& p : rows->providers) stored_[p.name] = std::move(p);
  for (auto& st : rows->settings) settings_[st.key] = std::move(st);
  return {};
}

// Providers made at run time come back as they were; a relay registered by
// heartbeat gets one window from now to beat again, else it lapses as it
// would have without the restart.
std::size_t RoutingService::restore_runtime(const std::vector<store::StoredProvider>& rows) {
  std::size_t restored = 0;
  for (const auto& row : rows) {
    auto read = runtime_config(row);
    if (!read) continue;
    auto& [config, source] = *read;
    auto provider = build_stored(config);
    if (!provider) continue;
    if (router_.add(std::move(provider), std::move(config), source) != Change::done) continue;
    if (source == ProviderSource::heartbeat && row.heartbeat_ttl_ms > 0)
      router_.heartbeat(row.name, std::chrono::milliseconds(row.heartbeat_ttl_ms));
    ++restored;
  }
  return restored;
}

std::optional<std::pair<ProviderConfig, ProviderSource>> RoutingService::runtime_config(
    const store::StoredProvider& row) const {
  ProviderConfig config;
  config.name = row.name;
  config.key_path = "settings";
  if (auto read = apply_definition(row.definition, config); !read) {
    spdlog::error("routing: provider {} made at run time cannot be used: {}", row.name,
                  read.error().to_string());
    return std::nullopt;
  }
  return std::pair{std::move(config),
                   row.source == "heartbeat" ? ProviderSource::heartbeat : ProviderSource::api};
}

std::unique_ptr<providers::Provider> RoutingService::build_stored(
    const ProviderConfig& config) const {
  auto provider = build(config);
  if (provider) return std::move(*provider);
  // Kept in the store: a later version (or a fixed setting) may take it.
  spdlog::error("routing: provider {} made at run time cannot be used: {}: {}", config.name,
                provider.error().field, provider.error().message);
  return nullptr;
}

// At start and on reload (the main thread): the rows the file has
// overtaken. Not saving them is harmless (the next start drops them
// again), so a failure is only reported.
void RoutingService::save_now(const store::RoutingChanges& writes) {
  if (writes.empty()) return;
  apply_changes(writes, stored_, settings_);
  if (!store_) return;
  std::promise<Result<void>> saved;
  auto answer = saved.get_future();
  store_->save(writes, [&saved](Result<void> r) { saved.set_value(std::move(r)); });
  if (auto r = answer.get(); !r)
    spdlog::warn("routing: cannot drop run-time changes the file overtook: {}",
                 r.error().message());
}

void RoutingService::share_health_as(std::string node, std::chrono::milliseconds period) {
  if (!store_) return;
  health_share_ = std::make_shared<HealthShare>(*store_, std::move(node), clock_, period);
  impl_->health_share = health_share_;
}

std::vector<ProviderView> RoutingService::list() const {
  auto views = router_.providers();
  add_node_health(views);
  return views;
}

void RoutingService::add_node_health(std::vector<ProviderView>& views) const {
  if (!health_share_) return;
  auto shared = health_share_->read();
  if (!shared)
    spdlog::warn("routing: cannot read the providers' health on every node: {}",
                 shared.error().message());
  for (auto& v : views) {
    v.nodes.emplace();
    if (!shared) continue;
    if (auto it = shared->find(v.name); it != shared->end()) v.nodes = std::move(it->second);
  }
}

void RoutingService::start() {
  impl_->start();
  if (!store_) return;
  store_->on_change(watch_.poke());
  watch_.start();
}

void RoutingService::stop() {
  watch_.stop();
  impl_->stop();
}

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
    if (self->health_share) self->health_share->update(self->router.providers());
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
