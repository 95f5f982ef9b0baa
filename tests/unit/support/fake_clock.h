// A Clock that moves only when a test moves it.
#pragma once

#include <atomic>

#include "core/clock.h"

namespace postern::test {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime start = from_unix_ms(1'700'000'000'000)) : now_(start) {}
  SystemTime now() const override { return now_.load(); }
  SteadyTime steady_now() const override {
    return SteadyTime(
        std::chrono::duration_cast<SteadyTime::duration>(now_.load().time_since_epoch()));
  }
  void advance(std::chrono::milliseconds d) { now_.store(now_.load() + d); }
  void set(SystemTime t) { now_.store(t); }

 private:
  std::atomic<SystemTime> now_;
};

}  // namespace postern::test
