// The per-attempt half of the router: pick, report, has_alternative.
// Membership and health are in router_admin.cpp, views in router_view.cpp.
#include "routing/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace postern::routing {

using providers::FailureClass;

namespace {

constexpr double kLatencyAlpha = 0.2;  // weight of the newest sample in the EWMA
constexpr auto kDefaultThrottlePause = std::chrono::seconds(1);
constexpr auto kMaxThrottlePause = std::chrono::seconds(60);

bool named_in(std::span<const std::string> names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// What an answer says about the provider. A 429 (or an SMTP 454, or any
// answer with a retry hint) is pressure, not a fault; a permanent answer
// is about the message, and says the provider works.
Verdict verdict_of(const providers::SendResult& r) {
  switch (r.failure_class) {
    case FailureClass::ok:
      return Verdict::success;
    case FailureClass::permanent:
      return Verdict::neutral;
    case FailureClass::provider_down:
      return Verdict::down;
    case FailureClass::transient:
      if (r.throttled || r.retry_after || r.code == "429" || r.code.starts_with("454"))
        return Verdict::throttled;
      return Verdict::failure;
  }
  return Verdict::failure;
}

}  // namespace

Router::Router(const Clock& clock, MetricsRegistry& metrics, EventBus& events,
               RouterOptions options)
    : clock_(clock), metrics_(metrics), events_(events), random_(std::random_device{}()) {
  set_options(std::move(options));
  candidates_.reserve(64);
}

Router::~Router() = default;

std::size_t Router::pool_of(const providers::OutboundMessage& message) const {
  return route_pools_[options_.routes.match(message)];
}

void Router::parse_for_routes(const providers::OutboundMessage& message) {
  if (message.format() != ContentFormat::json) return;
  bool wants_metadata = false;
  {
    std::lock_guard lock(mu_);
    wants_metadata = options_.routes.uses_metadata();
  }
  if (wants_metadata) (void)message.structured();
}

Pick Router::pick(const providers::OutboundMessage& message, std::span<const std::string> avoid) {
  parse_for_routes(message);
  std::lock_guard lock(mu_);
  auto now = clock_.steady_now();
  auto pool_index = pool_of(message);
  auto& pool = pools_[pool_index];
  Pick out;
  out.pool = pool_index;
  bool usable = false;  // some provider could take it, limits aside
  bool avoided_usable = false;
  bool fits_somewhere = false;  // whatever the providers' health
  for (int pass = 0; pass < 2; ++pass) {
    candidates_.clear();
    for (std::size_t i = 0; i < pool.members.size(); ++i) {
      auto& s = *pool.members[i];
      if (s.state == ProviderState::ejected && s.outlier.advance(now)) refresh(s, now);
      if (!s.fits(message)) continue;
      fits_somewhere = true;
      if (!takes_traffic(s.state)) continue;
      if (pass == 0 && named_in(avoid, s.name())) {
        avoided_usable = true;
        continue;
      }
      usable = true;
      // Half-open: one trial at a time, so a recovering provider is not
      // hit by the herd that was waiting for it.
      if ((s.state == ProviderState::half_open && s.trial_in_flight) ||
          (s.throttle_trial && s.window.in_flight() > 0) || !s.window.has_room()) {
        continue;
      }
      if (!s.bucket.ready(now)) {
        out.retry_at = std::min(out.retry_at, s.bucket.ready_at(now));
        continue;
      }
      candidates_.push_back(
          {i, s.config.weight, s.config.priority, s.latency_ewma_us, s.window.in_flight()});
    }
    // Elsewhere first: the avoided providers only when nobody else could
    // take the message at all (busy elsewhere means wait, not go back).
    if (!candidates_.empty() || usable || !avoided_usable) break;
  }
  if (candidates_.empty()) {
    // Waiting cannot help a message that no provider of the pool would
    // ever take; an empty pool may still get one (API, heartbeat).
    out.status = usable                                     ? PickStatus::busy
                 : !fits_somewhere && !pool.members.empty() ? PickStatus::unfit
                                                            : PickStatus::unavailable;
    return out;
  }
  PickContext context{random_};
  auto chosen = candidates_[pool.strategy->pick(candidates_, context)].slot;
  auto& slot = pool.members[chosen];
  slot->bucket.take(now);
  slot->window.acquire();
  if (slot->state == ProviderState::half_open) slot->trial_in_flight = true;
  slot->minute.add(Tally::picked, now);
  slot->metrics.in_flight->set(static_cast<double>(slot->window.in_flight()));
  out.status = PickStatus::picked;
  out.slot = slot;
  return out;
}

void Router::report(ProviderSlot& s, const providers::SendResult& r) {
  std::lock_guard lock(mu_);
  auto now = clock_.steady_now();
  auto verdict = verdict_of(r);
  s.window.release(verdict == Verdict::success || verdict == Verdict::neutral);
  s.trial_in_flight = false;
  s.throttle_trial = verdict == Verdict::throttled;
  s.metrics.attempts[static_cast<std::size_t>(r.failure_class)]->inc();
  if (!s.replaced) s.metrics.in_flight->set(static_cast<double>(s.window.in_flight()));
  switch (verdict) {
    case Verdict::success: {
      s.minute.add(Tally::success, now);
      auto us = static_cast<double>(r.latency.count());
      if (us > 0)
        s.latency_ewma_us = s.latency_ewma_us == 0
                                ? us
                                : s.latency_ewma_us + kLatencyAlpha * (us - s.latency_ewma_us);
      s.metrics.latency->set(s.latency_ewma_us / 1e6);
      break;
    }
    case Verdict::failure:
    case Verdict::down:
      s.minute.add(Tally::failure, now);
      break;
    case Verdict::throttled: {
      // That provider slows down, the others do not.
      s.minute.add(Tally::throttled, now);
      s.metrics.throttled->inc();
      auto pause = r.retry_after
                       ? std::chrono::duration_cast<std::chrono::milliseconds>(*r.retry_after)
                       : std::chrono::milliseconds(kDefaultThrottlePause);
      s.bucket.pause_until(now + std::clamp<std::chrono::milliseconds>(
                                     pause, std::chrono::milliseconds(0), kMaxThrottlePause));
      break;
    }
    case Verdict::neutral:
      break;
  }
  auto c = s.minute.sum(now);
  auto answers = count(c, Tally::success) + count(c, Tally::failure) + count(c, Tally::throttled);
  if (answers > 0) {
    s.metrics.success->set(static_cast<double>(count(c, Tally::success)) /
                           static_cast<double>(answers));
  }
  auto change = s.outlier.record(verdict, now, options_.outlier);
  if (change.kind == OutlierDetector::Change::Kind::eject && !s.removing) {
    try_eject(s, std::move(change.reason), now);
  }
  refresh(s, now);
}

bool Router::has_alternative(const providers::OutboundMessage& message,
                             std::span<const std::string> avoid) {
  std::lock_guard lock(mu_);
  const auto& pool = pools_[pool_of(message)];
  return std::any_of(
      pool.members.begin(), pool.members.end(), [&](const std::shared_ptr<ProviderSlot>& s) {
        return takes_traffic(s->state) && s->fits(message) && !named_in(avoid, s->name());
      });
}

std::size_t Router::recipients_per_send(const providers::OutboundMessage& message) {
  parse_for_routes(message);
  std::lock_guard lock(mu_);
  const auto& pool = pools_[pool_of(message)];
  for (bool live_only : {true, false}) {
    std::size_t most = 0;
    for (const auto& s : pool.members) {
      if (!s->fits_size(message) || (live_only && !takes_traffic(s->state))) continue;
      auto limit = s->provider().max_recipients();
      if (limit == 0) return 0;
      most = std::max(most, limit);
    }
    if (most > 0) return most;
  }
  return 0;
}

void Router::try_eject(ProviderSlot& s, std::string reason, SteadyTime now) {
  const auto& pool = pools_[s.pool];
  bool others = std::any_of(pool.members.begin(), pool.members.end(),
                            [&](const std::shared_ptr<ProviderSlot>& m) {
                              return m.get() != &s && takes_traffic(m->state);
                            });
  if (!others) {
    // Ejecting the last provider of a pool would stop its mail entirely on
    // what may be a bad run of messages: keep it, and say so loudly (at
    // most once per base ejection time, not once per failed message).
    s.outlier.keep();
    s.metrics.ejections_suppressed->inc();
    if (s.suppressed_noted_at == SteadyTime{} ||
        now - s.suppressed_noted_at >= options_.outlier.base_ejection) {
      s.suppressed_noted_at = now;
      spdlog::error(
          "routing: provider {} is failing ({}) but is the last healthy provider of pool {}: not "
          "ejected",
          s.name(), reason, pool.name);
      events_.publish("ejection_suppressed",
                      {{"provider", s.name()}, {"pool", pool.name}, {"reason", reason}});
    }
    return;
  }
  s.outlier.eject(std::move(reason), now, options_.outlier);
  s.metrics.ejections->inc();
}

}  // namespace postern::routing
