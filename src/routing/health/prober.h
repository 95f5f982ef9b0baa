// Active health: when to probe a provider and what the answers add up to,
// like Envoy's HealthCheckerImplBase. A probe every `interval` (plus up to
// `jitter`, so providers are not all probed at once); a verdict flips to
// unhealthy after `unhealthy_threshold` failures in a row and back after
// `healthy_threshold` successes. While the answers disagree with the
// verdict, probes come four times as often, so an idle outage is seen well
// within two intervals. Sans-io: the routing service runs the probes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/clock.h"

namespace postern::routing {

struct ProbeOptions {
  std::chrono::milliseconds interval{5000};  // 0: no probes
  std::chrono::milliseconds timeout{2000};
  std::chrono::milliseconds jitter{500};
  std::size_t unhealthy_threshold = 2;
  std::size_t healthy_threshold = 2;
};

class ProbeTracker {
 public:
  // The first probe is due at once: a provider that cannot work is seen at
  // start, not one interval later.
  explicit ProbeTracker(SteadyTime now) : next_at_(now) {}

  bool due(SteadyTime now) const { return !running_ && now >= next_at_; }
  // Marks a probe as started; returns its id for finish().
  std::uint64_t start(SteadyTime now);
  // The answer of probe `id` (a timeout is a failure). Answers of probes
  // that are no longer current are ignored. `random` in [0, 1) spreads the
  // next probe over the jitter. Returns true when the verdict changed.
  bool finish(std::uint64_t id, bool ok, std::string detail, std::chrono::microseconds latency,
              SteadyTime now, const ProbeOptions& options, double random);
  // Forgets a running probe (probes turned off), due again at `next`.
  void reschedule(SteadyTime next);

  bool healthy() const { return healthy_; }
  bool running() const { return running_; }
  std::size_t consecutive_failures() const { return failures_; }
  std::size_t consecutive_successes() const { return successes_; }
  const std::string& last_detail() const { return detail_; }  // empty after a success
  bool last_ok() const { return last_ok_; }
  SteadyTime last_at() const { return last_at_; }
  std::chrono::microseconds last_latency() const { return latency_; }
  std::uint64_t count() const { return id_; }

 private:
  bool healthy_ = true;  // assumed until probes say otherwise
  bool running_ = false;
  bool last_ok_ = true;
  std::uint64_t id_ = 0;
  std::size_t failures_ = 0;
  std::size_t successes_ = 0;
  std::string detail_;
  SteadyTime next_at_;
  SteadyTime last_at_{};
  std::chrono::microseconds latency_{0};
};

}  // namespace postern::routing
