// Passive health: learns from the answers of real traffic, one detector per
// provider fed after every attempt (Envoy's DetectorHostMonitor). It finds
// an outlier by consecutive failures, by error rate or by 429 pressure over
// a sliding window; the router then ejects it (unless it is the last one of
// its pool) for a back-off that doubles with each ejection in a row, after
// which a half-open trial lets a few attempts through, one at a time,
// before full traffic returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/clock.h"
#include "routing/health/sliding_window.h"

namespace postern::routing {

struct OutlierOptions {
  std::size_t consecutive_failures = 5;  // transient failures in a row (0: off)
  std::size_t consecutive_down = 1;      // provider_down answers in a row (0: off)
  double error_rate = 0.5;               // failed share of answers over the window (0: off)
  double throttle_rate = 0.5;            // 429 share of answers over the window (0: off)
  std::size_t min_requests = 20;         // answers in the window before a rate counts
  std::chrono::milliseconds window{10000};
  std::chrono::milliseconds base_ejection{2000};
  std::chrono::milliseconds max_ejection{60000};
  std::size_t trial_successes = 3;  // half-open successes before full traffic
};

// What an answer says about the provider (not about the message).
enum class Verdict { success, failure, down, throttled, neutral };

enum class OutlierPhase { ok, ejected, half_open };

class OutlierDetector {
 public:
  struct Change {
    enum class Kind { none, eject, recovered } kind = Kind::none;
    std::string reason;  // for eject
  };

  // Feeds one answer. An eject change is a request: call eject() to carry
  // it out, or keep() when the router refuses (last provider of its pool).
  Change record(Verdict verdict, SteadyTime now, const OutlierOptions& options);

  // Ejects for base_ejection * 2^(ejections in a row), capped at max_ejection.
  void eject(std::string reason, SteadyTime now, const OutlierOptions& options);
  // The ejection was refused: start counting afresh.
  void keep();
  // Ends an ejection early (active probes saw the provider recover): the
  // half-open trial starts now.
  void start_trial();
  // ejected -> half_open once the back-off has passed. True on a change.
  bool advance(SteadyTime now);

  OutlierPhase phase() const { return phase_; }
  const std::string& reason() const { return reason_; }
  SteadyTime ejected_until() const { return ejected_until_; }
  std::size_t ejections() const { return ejections_; }
  std::size_t consecutive_failures() const { return consecutive_failures_; }
  std::size_t trial_successes() const { return trial_successes_; }
  // The options changed: the window takes the new span.
  void configure(const OutlierOptions& options);

 private:
  void reset_counts();

  OutlierPhase phase_ = OutlierPhase::ok;
  std::string reason_;
  SteadyTime ejected_until_{};
  SteadyTime recovered_at_{};
  std::size_t ejections_ = 0;  // in a row; forgotten after max_ejection of good health
  std::size_t consecutive_failures_ = 0;
  std::size_t consecutive_down_ = 0;
  std::size_t trial_successes_ = 0;
  std::size_t trial_throttled_ = 0;  // 429s in a row during the half-open trial
  SlidingWindow window_{std::chrono::seconds(10)};
};

}  // namespace postern::routing
