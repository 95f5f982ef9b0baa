#include "routing/health/provider_state.h"

namespace postern::routing {

std::string_view to_string(ProviderState state) {
  switch (state) {
    case ProviderState::healthy:
      return "healthy";
    case ProviderState::half_open:
      return "half_open";
    case ProviderState::ejected:
      return "ejected";
    case ProviderState::unhealthy:
      return "unhealthy";
    case ProviderState::lapsed:
      return "lapsed";
    case ProviderState::draining:
      return "draining";
    case ProviderState::drained:
      return "drained";
    case ProviderState::paused:
      return "paused";
  }
  return "unknown";
}

std::string_view to_string(AdminState state) {
  switch (state) {
    case AdminState::active:
      return "active";
    case AdminState::draining:
      return "draining";
    case AdminState::paused:
      return "paused";
  }
  return "unknown";
}

std::string_view to_string(Check check) {
  switch (check) {
    case Check::none:
      return "";
    case Check::admin:
      return "admin";
    case Check::heartbeat:
      return "heartbeat";
    case Check::probe:
      return "probe";
    case Check::outlier:
      return "outlier";
  }
  return "";
}

StateVerdict combine(const HealthInputs& in) {
  if (in.admin == AdminState::paused) return {ProviderState::paused, Check::admin};
  if (in.admin == AdminState::draining) {
    return {in.idle ? ProviderState::drained : ProviderState::draining, Check::admin};
  }
  if (in.lapsed) return {ProviderState::lapsed, Check::heartbeat};
  if (in.probe_unhealthy) return {ProviderState::unhealthy, Check::probe};
  if (in.ejected) return {ProviderState::ejected, Check::outlier};
  if (in.half_open) return {ProviderState::half_open, Check::outlier};
  return {ProviderState::healthy, Check::none};
}

}  // namespace postern::routing
