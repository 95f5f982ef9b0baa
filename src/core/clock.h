// Time as a dependency: everything that schedules (back-off, leases, probes,
// ejection) asks a Clock, so tests drive it with a FakeClock and no sleeps.
#pragma once

#include <chrono>
#include <cstdint>

namespace postern {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, stored in records and shown to users.
  virtual SystemTime now() const = 0;
  // Monotonic time for measuring latency and timeouts.
  virtual SteadyTime steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

// Milliseconds since the Unix epoch: the unit every store column uses.
inline std::int64_t to_unix_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
// Saturates instead of overflowing: the clock's nanoseconds end in 2262,
// and a user may well ask for messages "until 2999".
inline SystemTime from_unix_ms(std::int64_t ms) {
  constexpr auto kMaxMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(SystemTime::duration::max()).count();
  if (ms >= kMaxMs) return SystemTime::max();
  if (ms <= -kMaxMs) return SystemTime::min();
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace postern
