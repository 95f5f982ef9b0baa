// Heartbeats: a relay or agent POSTs /v1/providers/{name}/heartbeat. The
// first beat registers it (with the connection details it sends) and it
// joins its pool; when no beat comes for its window it leaves the active set
// ("lapsed"); the next beat brings it back. Configured providers may beat
// too, and are then watched the same way. Sans-io: the routing service
// checks for lapses on a timer.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace postern::routing {

struct HeartbeatOptions {
  std::chrono::milliseconds window{30000};  // default time allowed between beats
  bool registration = true;                 // unknown names may register by beating
  std::vector<std::string> allowed;         // if not empty, only these names may register
};

// Whether `name` may register by heartbeat; the reason when not.
std::optional<std::string> registration_refused(const HeartbeatOptions& options,
                                                std::string_view name);

class HeartbeatMonitor {
 public:
  // A beat at `now`; `ttl` is how long until the next one is due. Returns
  // true when the provider had lapsed and is back.
  bool beat(SteadyTime now, std::chrono::milliseconds ttl);
  // True once, when the window has passed without a beat.
  bool check(SteadyTime now);

  bool watched() const { return watched_; }
  bool lapsed() const { return lapsed_; }
  SteadyTime last_beat() const { return last_beat_; }
  std::chrono::milliseconds ttl() const { return ttl_; }
  std::uint64_t beats() const { return beats_; }

 private:
  bool watched_ = false;  // has beaten at least once
  bool lapsed_ = false;
  SteadyTime last_beat_{};
  std::chrono::milliseconds ttl_{0};
  std::uint64_t beats_ = 0;
};

}  // namespace postern::routing
