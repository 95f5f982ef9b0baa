// When to try a failed message again: exponential back-off with jitter from
// the number of attempts, a retry elsewhere at once when another provider can
// take it, a provider's own "retry after" honoured, and a maximum age after
// which the message fails (Postfix's maximal_queue_lifetime).
#pragma once

#include <chrono>
#include <optional>
#include <random>

#include "core/clock.h"
#include "providers/failure_class.h"

namespace postern::delivery {

struct RetryOptions {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{3600 * 1000};
  std::chrono::milliseconds max_age{24 * 3600 * 1000};
  double jitter = 0.2;  // +- this fraction of the back-off
};

struct RetryDecision {
  bool give_up = false;  // final: failed
  SystemTime next_attempt_at{};
  std::string reason;  // why it gives up
};

class RetryPolicy {
 public:
  RetryPolicy(RetryOptions options, std::uint64_t seed);

  // `attempts` counts the attempt that just failed. `window_start` is when
  // the message's retry window began. `elsewhere` tells whether another
  // provider could take the message now.
  RetryDecision after_failure(providers::FailureClass failure, int attempts,
                              SystemTime window_start, SystemTime now,
                              std::optional<std::chrono::milliseconds> retry_after, bool elsewhere);

  std::chrono::milliseconds backoff(int attempts);

 private:
  RetryOptions options_;
  std::mt19937_64 random_;  // used by one dispatcher thread only
};

}  // namespace postern::delivery
