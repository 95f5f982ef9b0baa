// Chooses the provider for each attempt and learns from every answer: the
// route picks a pool, health (operator state, heartbeats, probes, outlier
// detection) decides who is in it, the rate limit and concurrency cap who
// can take mail right now, and the pool's strategy picks among those.
// Sans-io and thread-safe (one mutex); the routing service runs the probes
// and timers, the dispatcher calls pick() and report() per attempt.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "providers/provider.h"
#include "routing/event_bus.h"
#include "routing/health/heartbeats.h"
#include "routing/health/outlier_detector.h"
#include "routing/health/prober.h"
#include "routing/provider_slot.h"
#include "routing/routes.h"
#include "routing/strategy.h"
#include "routing/views.h"

namespace postern::routing {

struct RouterOptions {
  std::string strategy = "round_robin";  // every pool's; must be a make_strategy() name
  RouteTable routes;
  ProbeOptions probe;
  OutlierOptions outlier;
  HeartbeatOptions heartbeat;
};

enum class PickStatus {
  picked,  // send to pick.provider()
  busy,  // healthy providers exist but are at their rate limit or cap: hold the message, retry soon
  unavailable,  // no provider of the pool can take it: defer with back-off
  unfit,  // the pool has providers but none accepts a message this large (size or recipients): fail
          // it
};

struct Pick {
  PickStatus status = PickStatus::unavailable;
  std::shared_ptr<ProviderSlot> slot;  // picked: report() the answer to this
  std::size_t pool = 0;                // busy: the pool to wait for (ids are stable)
  SteadyTime retry_at =
      SteadyTime::max();  // busy: when a rate limit lets one go (max: when one finishes)
  providers::Provider& provider() const { return slot->provider(); }
};

// What a membership change did.
enum class Change { done, unknown, exists };

class Router {
 public:
  Router(const Clock& clock, MetricsRegistry& metrics, EventBus& events,
         RouterOptions options = {});
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // --- per attempt (the dispatcher; O(providers of the pool), no allocation once warm) ---

  // The provider for the next attempt of `message`. Providers named in
  // `avoid` are chosen only when no other provider of the pool can take it
  // ("retry elsewhere first"). A picked provider counts the attempt as in
  // flight until report().
  Pick pick(const providers::OutboundMessage& message, std::span<const std::string> avoid);
  // The answer of a picked attempt. Exactly once per picked Pick.
  void report(ProviderSlot& slot, const providers::SendResult& result);
  // True when a provider of the message's pool other than those in `avoid`
  // is in the active set (at its limits or not).
  bool has_alternative(const providers::OutboundMessage& message,
                       std::span<const std::string> avoid);
  // How many recipients one send of this message can carry in its pool:
  // the highest recipient limit among the providers that take its size,
  // those taking traffic counted first. 0 when one of them has no limit,
  // none takes its size, or the pool is empty: the message goes whole.
  std::size_t recipients_per_send(const providers::OutboundMessage& message);

  // --- membership (routing service, API) ---

  // Adds a provider; `exists` when the name is taken.
  Change add(std::unique_ptr<providers::Provider> provider, ProviderConfig config,
             ProviderSource source);
  // A new provider object (new settings) takes over `name`; the old one
  // takes no new mail and finishes what it has in flight.
  Change replace(std::unique_ptr<providers::Provider> provider, ProviderConfig config,
                 ProviderSource source);
  // New routing attributes (pool, weight, priority, limits, probe) in place.
  Change update(const ProviderConfig& config);
  // Drains the provider (no new mail), then drops it once idle.
  Change remove(const std::string& name);
  Change set_admin(const std::string& name, AdminState state);
  // A heartbeat: `unknown` for a name not registered yet.
  Change heartbeat(const std::string& name, std::chrono::milliseconds ttl);

  // The current provider of that name (not one being replaced).
  std::optional<ProviderConfig> config_of(const std::string& name) const;
  std::optional<ProviderSource> source_of(const std::string& name) const;
  // The current provider object of that name (its webhook), or null.
  std::shared_ptr<providers::Provider> current(const std::string& name) const;
  // Names of the current providers from that source.
  std::vector<std::string> names(ProviderSource source) const;

  void set_options(RouterOptions options);
  // Says loudly (error log, pool_unavailable event) which pools named by a
  // route or as the default have no provider taking mail: after a reload or
  // a routing change, so a route into an empty pool is not deferred in
  // silence.
  void check_routed_pools();
  RouterOptions options() const;

  // --- health (the routing service's timer) ---

  struct ProbeJob {
    std::shared_ptr<ProviderSlot> slot;
    std::uint64_t id = 0;
  };
  // Probes due now, marked as running.
  std::vector<ProbeJob> due_probes();
  // The answer of a probe (or its timeout, as a failed result).
  void probe_finished(ProviderSlot& slot, std::uint64_t id, const providers::ProbeResult& result);
  // Time-driven changes: heartbeat lapses, ejections that end, drained
  // providers that leave.
  void tick();

  // --- views (API) ---
  std::vector<ProviderView> providers() const;
  std::optional<ProviderView> provider(const std::string& name) const;
  RoutingView routing() const;
  std::size_t size() const;

 private:
  struct Pool {
    std::string name;
    std::unique_ptr<Strategy> strategy;
    std::vector<std::shared_ptr<ProviderSlot>> members;  // current providers only
    bool had_active = true;  // for the loud "pool has no provider" notice
  };

  // All below run with mu_ held.
  std::size_t pool_id(const std::string& name);
  std::size_t pool_of(const providers::OutboundMessage& message) const;
  // Parsing the message for metadata routes is the only costly step of
  // finding its pool: done before the lock is taken (the parse is cached
  // in the message, shared by its parts, and reused by the provider).
  void parse_for_routes(const providers::OutboundMessage& message);
  void join_pool(const std::shared_ptr<ProviderSlot>& slot, const std::string& pool);
  void leave_pool(ProviderSlot& slot);
  void resolve_routes();
  std::shared_ptr<ProviderSlot> find(const std::string& name) const;
  void insert(std::shared_ptr<ProviderSlot> slot);
  void try_eject(ProviderSlot& slot, std::string reason, SteadyTime now);
  // Recomputes the slot's state; on a change logs it, counts it and
  // publishes it.
  void refresh(ProviderSlot& slot, SteadyTime now);
  void note_pool(Pool& pool);
  ProviderView view_of(const ProviderSlot& slot, SteadyTime now, double total_picks) const;
  std::string describe(const ProviderSlot& slot, SteadyTime now) const;
  SystemTime to_system(SteadyTime t) const;

  const Clock& clock_;
  MetricsRegistry& metrics_;
  EventBus& events_;
  mutable std::mutex mu_;
  RouterOptions options_;  // guarded by mu_
  std::vector<std::shared_ptr<ProviderSlot>>
      slots_;                             // guarded by mu_: current, draining and replaced
  std::vector<Pool> pools_;               // guarded by mu_: index = pool id, never shrinks
  std::vector<std::size_t> route_pools_;  // guarded by mu_: pool id of each route, then default
  std::vector<Candidate> candidates_;     // guarded by mu_: scratch of pick()
  std::mt19937_64 random_;                // guarded by mu_
};

}  // namespace postern::routing
