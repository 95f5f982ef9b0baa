#include "routing/health/prober.h"

#include <algorithm>

namespace postern::routing {

std::uint64_t ProbeTracker::start(SteadyTime) {
  running_ = true;
  return ++id_;
}

void ProbeTracker::reschedule(SteadyTime next) {
  running_ = false;
  next_at_ = next;
}

bool ProbeTracker::finish(std::uint64_t id, bool ok, std::string detail,
                          std::chrono::microseconds latency, SteadyTime now,
                          const ProbeOptions& options, double random) {
  if (!running_ || id != id_) return false;
  running_ = false;
  last_ok_ = ok;
  last_at_ = now;
  latency_ = latency;
  detail_ = ok ? std::string() : std::move(detail);
  bool changed = false;
  if (ok) {
    failures_ = 0;
    ++successes_;
    if (!healthy_ && successes_ >= std::max<std::size_t>(1, options.healthy_threshold))
      changed = healthy_ = true;
  } else {
    successes_ = 0;
    ++failures_;
    if (healthy_ && failures_ >= std::max<std::size_t>(1, options.unhealthy_threshold)) {
      healthy_ = false;
      changed = true;
    }
  }
  // Answers that disagree with the verdict are confirmed (or not) sooner.
  bool settling = ok != healthy_;
  auto interval = settling ? options.interval / 4 : options.interval;
  auto jitter =
      std::chrono::duration_cast<SteadyTime::duration>(std::chrono::duration<double, std::milli>(
          static_cast<double>(options.jitter.count()) * random));
  next_at_ = now + interval + (settling ? SteadyTime::duration(0) : jitter);
  return changed;
}

}  // namespace postern::routing
