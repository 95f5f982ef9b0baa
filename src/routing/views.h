// Snapshots of the router for the API (GET /v1/providers, GET /v1/routing):
// plain values, taken under the router's lock and read without it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "routing/health/heartbeats.h"
#include "routing/health/outlier_detector.h"
#include "routing/health/prober.h"
#include "routing/health/provider_state.h"
#include "routing/routes.h"

namespace postern::routing {

enum class ProviderSource;

// How one node sharing the store sees a provider (health_share.h): its
// verdict as that node last wrote it.
struct NodeHealthView {
  std::string node;
  std::string state;  // a ProviderState's name (a newer node may write others)
  std::string reason;
  SystemTime since{};
  SystemTime updated_at{};
  bool stale = false;  // not written for a few periods: that node may be gone
  double latency_ms = 0;
  std::optional<double> success_rate;
};

struct ProviderView {
  std::string name;
  std::string type;
  std::string pool;
  ProviderSource source;
  int weight = 1;
  int priority = 1;
  std::map<std::string, std::string> settings;  // as configured: the API hides secrets
  // The verdict and why.
  ProviderState state = ProviderState::healthy;
  Check check = Check::none;
  std::string reason;
  SystemTime since;
  AdminState admin = AdminState::active;
  // Active probes.
  bool probe_enabled = false;
  bool probe_healthy = true;
  std::optional<SystemTime> probe_at;  // the last answer
  bool probe_ok = true;
  std::string probe_detail;
  double probe_latency_ms = 0;
  std::size_t probe_failures = 0;
  // Outlier detection.
  OutlierPhase outlier = OutlierPhase::ok;
  std::size_t ejections = 0;
  std::optional<SystemTime> ejected_until;
  std::size_t consecutive_failures = 0;
  // Heartbeats.
  bool heartbeat_watched = false;
  std::optional<SystemTime> heartbeat_at;
  std::chrono::milliseconds heartbeat_ttl{0};
  // Traffic.
  double latency_ms = 0;               // EWMA on accepted messages; 0 before the first
  std::optional<double> success_rate;  // last minute; none without answers
  std::size_t in_flight = 0;
  std::uint64_t attempts_last_minute = 0;
  double share = 0;  // of all attempts routed in the last minute
  // Limits.
  double rate_limit = 0;  // 0: none
  double burst = 0;
  double tokens = 0;
  std::optional<SystemTime> paused_until;  // Retry-After in force
  std::size_t max_concurrency = 0;         // 0: none
  std::size_t concurrency_limit = 0;       // the current window (<= max_concurrency)
  // Every node's view of it, from the store (GET /v1/providers); none in
  // the answers of changes, or when health is not shared.
  std::optional<std::vector<NodeHealthView>> nodes;
};

struct PoolView {
  std::string name;
  std::vector<std::string> providers;
  std::size_t active = 0;  // providers taking traffic
};

struct RoutingView {
  std::string strategy;
  std::string default_pool;
  std::vector<RouteRule> routes;
  std::vector<PoolView> pools;
  ProbeOptions probe;
  OutlierOptions outlier;
  HeartbeatOptions heartbeat;
};

}  // namespace postern::routing
