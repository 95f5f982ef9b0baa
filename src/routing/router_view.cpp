// What the router shows: provider and routing snapshots for the API, and
// the words that explain a state.
#include "routing/router.h"

namespace postern::routing {

namespace {

std::string seconds_text(SteadyTime::duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + " s";
}

}  // namespace

SystemTime Router::to_system(SteadyTime t) const {
  return clock_.now() + std::chrono::duration_cast<SystemTime::duration>(t - clock_.steady_now());
}

std::string Router::describe(const ProviderSlot& s, SteadyTime now) const {
  switch (s.check) {
    case Check::admin:
      if (s.admin == AdminState::paused) return "paused by the operator";
      if (s.removing)
        return s.window.in_flight() > 0 ? "being removed: finishing attempts in flight" : "removed";
      return s.window.in_flight() > 0 ? "draining: finishing attempts in flight"
                                      : "drained: takes no new mail";
    case Check::heartbeat:
      return "no heartbeat for " + seconds_text(now - s.heartbeat.last_beat());
    case Check::probe:
      return std::to_string(s.probe.consecutive_failures()) +
             " failed probes in a row: " + s.probe.last_detail();
    case Check::outlier:
      if (s.outlier.phase() == OutlierPhase::half_open) {
        return "half-open trial after ejection: " + s.outlier.reason();
      }
      return "ejected for " + seconds_text(s.outlier.ejected_until() - now) + " (ejection " +
             std::to_string(s.outlier.ejections()) + "): " + s.outlier.reason();
    case Check::none:
      break;
  }
  return "";
}

ProviderView Router::view_of(const ProviderSlot& s, SteadyTime now, double total_picks) const {
  ProviderView v;
  v.name = s.name();
  v.type = std::string(s.provider().type());
  v.pool = s.config.pool;
  v.source = s.source;
  v.weight = s.config.weight;
  v.priority = s.config.priority;
  v.settings = s.config.settings;
  v.state = s.state;
  v.check = s.check;
  v.reason = s.reason;
  v.since = to_system(s.since);
  v.admin = s.admin;
  v.probe_enabled = s.config.probe && options_.probe.interval.count() > 0;
  v.probe_healthy = s.probe.healthy();
  if (s.probe.last_at() != SteadyTime{}) v.probe_at = to_system(s.probe.last_at());
  v.probe_ok = s.probe.last_ok();
  v.probe_detail = s.probe.last_detail();
  v.probe_latency_ms = static_cast<double>(s.probe.last_latency().count()) / 1000.0;
  v.probe_failures = s.probe.consecutive_failures();
  v.outlier = s.outlier.phase();
  v.ejections = s.outlier.ejections();
  if (s.outlier.phase() == OutlierPhase::ejected)
    v.ejected_until = to_system(s.outlier.ejected_until());
  v.consecutive_failures = s.outlier.consecutive_failures();
  v.heartbeat_watched = s.heartbeat.watched();
  if (s.heartbeat.watched()) v.heartbeat_at = to_system(s.heartbeat.last_beat());
  v.heartbeat_ttl = s.heartbeat.ttl();
  v.latency_ms = s.latency_ewma_us / 1000.0;
  auto c = s.minute.sum(now);
  auto answers = count(c, Tally::success) + count(c, Tally::failure) + count(c, Tally::throttled);
  if (answers > 0)
    v.success_rate = static_cast<double>(count(c, Tally::success)) / static_cast<double>(answers);
  v.in_flight = s.window.in_flight();
  v.attempts_last_minute = count(c, Tally::picked);
  v.share = total_picks > 0 ? static_cast<double>(v.attempts_last_minute) / total_picks : 0;
  v.rate_limit = s.bucket.rate();
  v.burst = s.bucket.limited() ? s.bucket.burst() : 0;
  v.tokens = s.bucket.limited() ? s.bucket.tokens(now) : 0;
  if (s.bucket.paused_until() > now) v.paused_until = to_system(s.bucket.paused_until());
  v.max_concurrency = s.window.cap();
  v.concurrency_limit = s.window.limit();
  return v;
}

std::vector<ProviderView> Router::providers() const {
  std::lock_guard lock(mu_);
  auto now = clock_.steady_now();
  double total = 0;
  for (const auto& s : slots_)
    total += static_cast<double>(count(s->minute.sum(now), Tally::picked));
  std::vector<ProviderView> out;
  for (const auto& s : slots_) {
    if (!s->replaced) out.push_back(view_of(*s, now, total));
  }
  return out;
}

std::optional<ProviderView> Router::provider(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto s = find(name);
  if (!s) return std::nullopt;
  auto now = clock_.steady_now();
  double total = 0;
  for (const auto& x : slots_)
    total += static_cast<double>(count(x->minute.sum(now), Tally::picked));
  return view_of(*s, now, total);
}

RoutingView Router::routing() const {
  std::lock_guard lock(mu_);
  RoutingView v;
  v.strategy = options_.strategy;
  v.default_pool = options_.routes.default_pool();
  v.routes = options_.routes.rules();
  v.probe = options_.probe;
  v.outlier = options_.outlier;
  v.heartbeat = options_.heartbeat;
  for (const auto& pool : pools_) {
    PoolView p;
    p.name = pool.name;
    for (const auto& m : pool.members) {
      p.providers.push_back(m->name());
      if (takes_traffic(m->state)) ++p.active;
    }
    v.pools.push_back(std::move(p));
  }
  return v;
}

std::size_t Router::size() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& s : slots_) n += s->removing ? 0 : 1;
  return n;
}

}  // namespace postern::routing
