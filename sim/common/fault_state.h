// The live fault settings of one service and the per-request dice: every
// request asks decide() what to do before the service looks at it.
// Written by the control thread, read by every I/O thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "sim/common/fault_spec.h"

namespace postern::sim {

struct FaultDecision {
  enum class Kind {
    none,      // serve the request normally
    hang,      // read it, never answer
    auth,      // refuse it as if the key were revoked
    throttle,  // 429 (SMTP 454) with retry_after
    error,     // status (0: the service's usual outage status)
  };
  Kind kind = Kind::none;
  int status = 0;
  std::chrono::seconds retry_after{0};
  std::chrono::milliseconds latency{0};  // wait this long before answering (not with hang)
};

// Thread-safe. The random draws come from a counter-based generator
// (splitmix64), so no lock is held while rolling and a seed makes runs
// repeatable.
class FaultState {
 public:
  FaultState(FaultSpec initial, std::uint64_t seed);

  FaultSpec spec() const;
  void set(FaultSpec spec);

  // What to do with one request. `probe`: a health probe (faults apply only
  // when spec.probes). Order: hang, then auth_fail, throttle, error; the
  // latency is drawn for every request the faults apply to.
  FaultDecision decide(bool probe);

  // Whether this recipient matches one of spec.reject (case-insensitive).
  bool rejects(std::string_view recipient) const;
  // Whether this recipient matches one of spec.defer (case-insensitive).
  bool defers(std::string_view recipient) const;
  // What the webhooks report for this accepted recipient: the first of
  // spec.complain, bounce, soft_bounce, defer_event it matches, else
  // delivered.
  EventOutcome outcome(std::string_view recipient) const;
  // spec().auth_fail without copying the spec.
  bool auth_failing() const;

 private:
  double draw();  // uniform in [0, 1)

  mutable std::mutex mu_;
  FaultSpec spec_;  // guarded by mu_
  std::uint64_t seed_;
  std::atomic<std::uint64_t> counter_{0};
};

// Glob match with '*' (any run) and '?' (one byte), ASCII case-insensitive.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace postern::sim
