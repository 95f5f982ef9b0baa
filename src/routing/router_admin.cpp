// The router's membership and health bookkeeping: providers joining and
// leaving pools, operator states, heartbeats, probe answers, the timer's
// tick, and the one place where a provider's state changes (refresh).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "routing/router.h"

namespace postern::routing {

void Router::set_options(RouterOptions options) {
  std::lock_guard lock(mu_);
  options_ = std::move(options);
  for (auto& pool : pools_) {
    if (!pool.strategy || pool.strategy->name() != options_.strategy) {
      pool.strategy = make_strategy(options_.strategy);
      if (!pool.strategy) pool.strategy = make_strategy("round_robin");  // validated by the caller
      pool.strategy->reset(pool.members.size());
    }
  }
  auto now = clock_.steady_now();
  for (auto& s : slots_) {
    s->outlier.configure(options_.outlier);
    refresh(*s, now);
  }
  resolve_routes();
}

void Router::check_routed_pools() {
  std::lock_guard lock(mu_);
  for (auto id : route_pools_) note_pool(pools_[id]);
}

RouterOptions Router::options() const {
  std::lock_guard lock(mu_);
  return options_;
}

std::size_t Router::pool_id(const std::string& name) {
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i].name == name) return i;
  }
  Pool pool;
  pool.name = name;
  pool.strategy = make_strategy(options_.strategy);
  if (!pool.strategy) pool.strategy = make_strategy("round_robin");
  pool.strategy->reset(0);
  pools_.push_back(std::move(pool));
  return pools_.size() - 1;
}

void Router::resolve_routes() {
  route_pools_.clear();
  for (const auto& rule : options_.routes.rules()) route_pools_.push_back(pool_id(rule.pool));
  route_pools_.push_back(pool_id(options_.routes.default_pool()));
}

void Router::join_pool(const std::shared_ptr<ProviderSlot>& slot, const std::string& name) {
  slot->pool = pool_id(name);
  auto& pool = pools_[slot->pool];
  pool.members.push_back(slot);
  pool.strategy->reset(pool.members.size());
  note_pool(pool);
}

void Router::leave_pool(ProviderSlot& slot) {
  auto& pool = pools_[slot.pool];
  std::erase_if(pool.members,
                [&](const std::shared_ptr<ProviderSlot>& m) { return m.get() == &slot; });
  pool.strategy->reset(pool.members.size());
  note_pool(pool);
}

std::shared_ptr<ProviderSlot> Router::find(const std::string& name) const {
  for (const auto& s : slots_) {
    if (!s->replaced && s->name() == name) return s;
  }
  return nullptr;
}

void Router::insert(std::shared_ptr<ProviderSlot> slot) {
  slot->outlier.configure(options_.outlier);
  slots_.push_back(slot);
  join_pool(slot, slot->config.pool);
  for (auto st : kProviderStates)
    slot->metrics.state[static_cast<std::size_t>(st)]->set(st == slot->state ? 1 : 0);
  spdlog::info("routing: provider {} ({}) joins pool {} [{}]", slot->name(),
               slot->provider().type(), slot->config.pool, to_string(slot->source));
  events_.publish("provider_added", {{"provider", slot->name()},
                                     {"provider_type", slot->provider().type()},
                                     {"pool", slot->config.pool},
                                     {"source", to_string(slot->source)},
                                     {"state", to_string(slot->state)}});
}

Change Router::add(std::unique_ptr<providers::Provider> provider, ProviderConfig config,
                   ProviderSource source) {
  std::lock_guard lock(mu_);
  if (auto old = find(provider->name())) {
    if (!old->removing) return Change::exists;
    // A provider of that name is still draining after a removal: the new
    // one takes the name now, the old one finishes its attempts and leaves.
    old->replaced = true;
  }
  auto now = clock_.steady_now();
  insert(std::make_shared<ProviderSlot>(std::move(provider), std::move(config), source, metrics_,
                                        now));
  return Change::done;
}

Change Router::replace(std::unique_ptr<providers::Provider> provider, ProviderConfig config,
                       ProviderSource source) {
  std::lock_guard lock(mu_);
  auto old = find(provider->name());
  if (!old) return Change::unknown;
  auto now = clock_.steady_now();
  auto slot =
      std::make_shared<ProviderSlot>(std::move(provider), std::move(config), source, metrics_, now);
  // The heartbeat watch and the operator's say (paused, draining) carry
  // over: new settings are not a resume.
  slot->heartbeat = old->heartbeat;
  slot->admin = old->admin;
  old->replaced = true;
  old->removing = true;
  old->admin = AdminState::draining;
  leave_pool(*old);
  spdlog::info("routing: provider {} gets new settings; the old connection drains ({} in flight)",
               old->name(), old->window.in_flight());
  auto& fresh = *slot;
  insert(std::move(slot));
  refresh(fresh, now);  // the carried-over admin state
  return Change::done;
}

Change Router::update(const ProviderConfig& config) {
  std::lock_guard lock(mu_);
  auto s = find(config.name);
  if (!s) return Change::unknown;
  auto now = clock_.steady_now();
  bool moved = s->config.pool != config.pool;
  if (moved) leave_pool(*s);
  s->config = config;
  s->apply_limits(now);
  if (moved) join_pool(s, config.pool);
  refresh(*s, now);
  return Change::done;
}

Change Router::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  auto s = find(name);
  if (!s) return Change::unknown;
  if (!s->removing) {
    s->removing = true;
    s->admin = AdminState::draining;
    leave_pool(*s);
    spdlog::info("routing: provider {} is being removed; {} attempts in flight finish first", name,
                 s->window.in_flight());
  }
  refresh(*s, clock_.steady_now());
  return Change::done;
}

Change Router::set_admin(const std::string& name, AdminState state) {
  std::lock_guard lock(mu_);
  auto s = find(name);
  if (!s || s->removing) return Change::unknown;
  s->admin = state;
  refresh(*s, clock_.steady_now());
  return Change::done;
}

Change Router::heartbeat(const std::string& name, std::chrono::milliseconds ttl) {
  std::lock_guard lock(mu_);
  auto s = find(name);
  if (!s || s->removing) return Change::unknown;
  auto now = clock_.steady_now();
  if (s->heartbeat.beat(now, ttl))
    spdlog::info("routing: provider {} is heart-beating again", name);
  refresh(*s, now);
  return Change::done;
}

std::optional<ProviderConfig> Router::config_of(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto s = find(name);
  if (!s || s->removing) return std::nullopt;
  return s->config;
}

std::shared_ptr<providers::Provider> Router::current(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto s = find(name);
  if (!s || s->removing) return nullptr;
  // Shares the slot's ownership: a provider removed meanwhile lives on
  // until the caller lets go.
  return std::shared_ptr<providers::Provider>(s, &s->provider());
}

std::optional<ProviderSource> Router::source_of(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto s = find(name);
  if (!s || s->removing) return std::nullopt;
  return s->source;
}

std::vector<std::string> Router::names(ProviderSource source) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& s : slots_) {
    if (!s->removing && s->source == source) out.push_back(s->name());
  }
  return out;
}

std::vector<Router::ProbeJob> Router::due_probes() {
  std::lock_guard lock(mu_);
  std::vector<ProbeJob> jobs;
  if (options_.probe.interval.count() == 0) return jobs;
  auto now = clock_.steady_now();
  for (const auto& s : slots_) {
    if (s->removing || !s->config.probe || !s->probe.due(now)) continue;
    jobs.push_back({s, s->probe.start(now)});
  }
  return jobs;
}

void Router::probe_finished(ProviderSlot& s, std::uint64_t id,
                            const providers::ProbeResult& result) {
  std::lock_guard lock(mu_);
  auto now = clock_.steady_now();
  bool was_healthy = s.probe.healthy();
  double spread = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  if (id == s.probe.count() && s.probe.running()) {
    (result.healthy ? s.metrics.probes_ok : s.metrics.probes_failed)->inc();
    if (!result.healthy) spdlog::debug("routing: probe of {} failed: {}", s.name(), result.detail);
  }
  if (!s.probe.finish(id, result.healthy, result.detail.empty() ? "probe failed" : result.detail,
                      result.latency, now, options_.probe, spread)) {
    return;
  }
  // Probes saw the provider come back: end a passive ejection now and let
  // the half-open trial decide (Envoy's uneject on a passing health check).
  if (!was_healthy && s.probe.healthy()) s.outlier.start_trial();
  refresh(s, now);
}

void Router::tick() {
  std::lock_guard lock(mu_);
  auto now = clock_.steady_now();
  for (auto& s : slots_) {
    bool changed = s->outlier.advance(now);
    if (s->heartbeat.check(now)) {
      spdlog::warn("routing: provider {} sent no heartbeat for {} ms: out of the active set",
                   s->name(), s->heartbeat.ttl().count());
      changed = true;
    }
    if (changed || s->admin == AdminState::draining) refresh(*s, now);
  }
  std::erase_if(slots_, [&](const std::shared_ptr<ProviderSlot>& s) {
    if (!s->removing || s->window.in_flight() > 0) return false;
    if (!s->replaced) {
      spdlog::info("routing: provider {} removed", s->name());
      events_.publish("provider_removed",
                      {{"provider", s->name()}, {"pool", pools_[s->pool].name}});
      for (auto* g : s->metrics.state) g->set(0);
      s->metrics.in_flight->set(0);
    }
    return true;
  });
}

void Router::refresh(ProviderSlot& s, SteadyTime now) {
  HealthInputs in;
  in.admin = s.admin;
  in.idle = s.window.in_flight() == 0;
  in.lapsed = s.heartbeat.lapsed();
  in.probe_unhealthy = s.config.probe && options_.probe.interval.count() > 0 && !s.probe.healthy();
  in.ejected = s.outlier.phase() == OutlierPhase::ejected;
  in.half_open = s.outlier.phase() == OutlierPhase::half_open;
  auto verdict = combine(in);
  if (verdict.state == s.state) {
    s.check = verdict.check;
    return;
  }
  auto previous = s.state;
  s.state = verdict.state;
  s.check = verdict.check;
  s.since = now;
  s.reason = describe(s, now);
  if (s.replaced) return;  // its successor speaks for the name
  s.metrics.state[static_cast<std::size_t>(previous)]->set(0);
  s.metrics.state[static_cast<std::size_t>(s.state)]->set(1);
  s.metrics.changes[static_cast<std::size_t>(s.state)]->inc();
  auto level =
      takes_traffic(s.state) || s.check == Check::admin ? spdlog::level::info : spdlog::level::warn;
  spdlog::log(level, "routing: provider {} {} -> {}{}{}", s.name(), to_string(previous),
              to_string(s.state), s.reason.empty() ? "" : ": ", s.reason);
  events_.publish("provider_state",
                  {{"provider", s.name()},
                   {"pool", pools_[s.pool].name},
                   {"state", to_string(s.state)},
                   {"previous", to_string(previous)},
                   {"check", s.check == Check::none ? boost::json::value(nullptr)
                                                    : boost::json::value(to_string(s.check))},
                   {"reason", s.reason}});
  if (!s.removing) note_pool(pools_[s.pool]);
}

// A pool left with no provider taking traffic is a degraded mode: loud.
void Router::note_pool(Pool& pool) {
  bool active =
      std::any_of(pool.members.begin(), pool.members.end(),
                  [](const std::shared_ptr<ProviderSlot>& m) { return takes_traffic(m->state); });
  if (active == pool.had_active) return;
  pool.had_active = active;
  if (active) {
    spdlog::info("routing: pool {} has a provider taking mail again", pool.name);
  } else {
    spdlog::error("routing: pool {} has no provider taking mail: its messages are deferred",
                  pool.name);
  }
  events_.publish(active ? "pool_available" : "pool_unavailable", {{"pool", pool.name}});
}

}  // namespace postern::routing
