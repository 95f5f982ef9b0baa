#include "routing/health/heartbeats.h"

#include <algorithm>

namespace postern::routing {

std::optional<std::string> registration_refused(const HeartbeatOptions& options,
                                                std::string_view name) {
  if (!options.registration)
    return std::string("registration by heartbeat is turned off (routing.heartbeat_registration)");
  if (!options.allowed.empty() &&
      std::find(options.allowed.begin(), options.allowed.end(), name) == options.allowed.end()) {
    return "'" + std::string(name) + "' is not in routing.heartbeat_allowed";
  }
  return std::nullopt;
}

bool HeartbeatMonitor::beat(SteadyTime now, std::chrono::milliseconds ttl) {
  bool back = lapsed_;
  watched_ = true;
  lapsed_ = false;
  last_beat_ = now;
  ttl_ = ttl;
  ++beats_;
  return back;
}

bool HeartbeatMonitor::check(SteadyTime now) {
  if (!watched_ || lapsed_ || now - last_beat_ < ttl_) return false;
  lapsed_ = true;
  return true;
}

}  // namespace postern::routing
