// One provider as the router tracks it: the provider itself, its routing
// attributes (pool, weight, limits), every health check's state, its
// traffic figures and its metrics. Shared (shared_ptr) between the router
// and the attempts in flight, so a removed provider lives until its last
// attempt has answered.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "core/token_bucket.h"
#include "providers/provider.h"
#include "providers/provider_config.h"
#include "routing/concurrency_window.h"
#include "routing/health/heartbeats.h"
#include "routing/health/outlier_detector.h"
#include "routing/health/prober.h"
#include "routing/health/provider_state.h"
#include "routing/health/sliding_window.h"

namespace postern::routing {

// Where a provider came from: the configuration file (a reload makes these
// match the file), the API, or a heartbeat registration.
enum class ProviderSource { config, api, heartbeat };
std::string_view to_string(ProviderSource source);

// Whether two definitions of a provider use the same connection (type and
// settings: otherwise a new provider object is needed), and the same
// routing attributes (pool, weight, priority, limits, probe: changed in place).
bool same_connection(const ProviderConfig& a, const ProviderConfig& b);
bool same_attributes(const ProviderConfig& a, const ProviderConfig& b);

struct SlotMetrics {
  SlotMetrics(MetricsRegistry& metrics, const std::string& provider);
  std::array<Gauge*, kProviderStates.size()> state{};      // postern_provider_state
  std::array<Counter*, kProviderStates.size()> changes{};  // ..._state_changes_total by new state
  std::array<Counter*, 4> attempts{};                      // by FailureClass
  Gauge* latency = nullptr;                                // EWMA, seconds
  Gauge* success = nullptr;                                // last minute
  Gauge* in_flight = nullptr;
  Counter* ejections = nullptr;
  Counter* ejections_suppressed = nullptr;
  Counter* throttled = nullptr;
  Counter* probes_ok = nullptr;
  Counter* probes_failed = nullptr;
};

struct ProviderSlot {
  ProviderSlot(std::unique_ptr<providers::Provider> provider, ProviderConfig config,
               ProviderSource source, MetricsRegistry& metrics, SteadyTime now);

  // Immutable after construction: safe from any thread.
  providers::Provider& provider() const { return *provider_; }
  const std::string& name() const { return provider_->name(); }

  // Everything below is guarded by the Router's mutex.
  ProviderConfig config;  // as given; settings may hold secrets (never shown as such)
  ProviderSource source;
  std::size_t pool = 0;  // the router's pool id
  AdminState admin = AdminState::active;
  bool removing = false;  // leaves once nothing is in flight
  bool replaced = false;  // a newer provider of the same name took over
  ProbeTracker probe;
  OutlierDetector outlier;
  HeartbeatMonitor heartbeat;
  TokenBucket bucket;
  ConcurrencyWindow window;
  bool trial_in_flight = false;
  // After a 429: one attempt at a time until an answer that is not one, so
  // the end of a Retry-After pause lets one message through, not a herd.
  bool throttle_trial = false;
  double latency_ewma_us = 0;
  SlidingWindow minute{std::chrono::seconds(60)};
  ProviderState state = ProviderState::healthy;
  Check check = Check::none;
  std::string reason;
  SteadyTime since;
  SteadyTime suppressed_noted_at{};  // the last loud "cannot eject the last provider"
  SlotMetrics metrics;

  // Whether this message can go to this provider at all (size, recipients).
  bool fits(const providers::OutboundMessage& message) const;
  // The size alone (a message with too many recipients can go in parts).
  bool fits_size(const providers::OutboundMessage& message) const;
  // Applies pool-independent attributes of `config` (weight, limits, probe).
  void apply_limits(SteadyTime now);

 private:
  std::unique_ptr<providers::Provider> provider_;
};

}  // namespace postern::routing
