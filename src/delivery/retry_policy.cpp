#include "delivery/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace postern::delivery {

RetryPolicy::RetryPolicy(RetryOptions options, std::uint64_t seed)
    : options_(options), random_(seed) {}

std::chrono::milliseconds RetryPolicy::backoff(int attempts) {
  double base = static_cast<double>(options_.initial_backoff.count()) *
                std::pow(2.0, std::max(0, attempts - 1));
  base = std::min(base, static_cast<double>(options_.max_backoff.count()));
  std::uniform_real_distribution<double> spread(1.0 - options_.jitter, 1.0 + options_.jitter);
  return std::chrono::milliseconds(static_cast<std::int64_t>(base * spread(random_)));
}

RetryDecision RetryPolicy::after_failure(providers::FailureClass failure, int attempts,
                                         SystemTime window_start, SystemTime now,
                                         std::optional<std::chrono::milliseconds> retry_after,
                                         bool elsewhere) {
  using providers::FailureClass;
  RetryDecision d;
  if (failure == FailureClass::permanent) {
    d.give_up = true;
    d.reason = "permanent failure";
    return d;
  }
  if (now - window_start >= options_.max_age) {
    d.give_up = true;
    d.reason = "retries spent: the message is older than the maximum age";
    return d;
  }
  std::chrono::milliseconds delay{0};
  if (!elsewhere) {
    // Same provider again: wait, and at least as long as it asked.
    delay = backoff(attempts);
    if (retry_after) delay = std::max(delay, *retry_after);
  } else if (attempts > 3) {
    // Failing everywhere: fail over at once the first times, then back
    // off so that a general outage does not spin.
    delay = backoff(attempts - 3);
  }
  d.next_attempt_at = now + delay;
  // Never schedule past the end of the window without a last try at its end.
  d.next_attempt_at = std::min(d.next_attempt_at, window_start + options_.max_age);
  return d;
}

}  // namespace postern::delivery
