// A provider's combined verdict: the operator's say (pause, drain), its
// heartbeats, active probes and passive outlier detection, in that order of
// precedence, with the check that decided it. This is what GET
// /v1/providers shows and what every state-change event carries.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace postern::routing {

enum class ProviderState {
  healthy,
  half_open,
  ejected,
  unhealthy,
  lapsed,
  draining,
  drained,
  paused
};
inline constexpr std::array kProviderStates = {ProviderState::healthy, ProviderState::half_open,
                                               ProviderState::ejected, ProviderState::unhealthy,
                                               ProviderState::lapsed,  ProviderState::draining,
                                               ProviderState::drained, ProviderState::paused};
std::string_view to_string(ProviderState state);

// The operator's setting (POST /v1/providers/{name}/drain|pause|resume).
enum class AdminState { active, draining, paused };
std::string_view to_string(AdminState state);

// Which check decided a state.
enum class Check { none, admin, heartbeat, probe, outlier };
std::string_view to_string(Check check);

// True when the router may send new mail there (half_open: one at a time).
inline bool takes_traffic(ProviderState s) {
  return s == ProviderState::healthy || s == ProviderState::half_open;
}

struct HealthInputs {
  AdminState admin = AdminState::active;
  bool idle = true;  // nothing in flight (draining -> drained)
  bool lapsed = false;
  bool probe_unhealthy = false;
  bool ejected = false;
  bool half_open = false;
};

struct StateVerdict {
  ProviderState state = ProviderState::healthy;
  Check check = Check::none;
};

StateVerdict combine(const HealthInputs& inputs);

}  // namespace postern::routing
