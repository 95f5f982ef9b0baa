// Request rate and concurrency per caller (an API key, a client address, an
// SMTP user): one token bucket (core/token_bucket.h) and one count of
// requests in flight each, in a bounded table (auth/bounded_table.h).
// Sans-io: every call takes the time; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "auth/bounded_table.h"
#include "core/token_bucket.h"

namespace postern::auth {

struct RateLimit {
  double per_second = 0;       // average; 0: no rate limit
  double burst = 1;            // tokens at once (at least 1)
  std::size_t concurrent = 0;  // requests in flight at once; 0: no limit
  bool enabled() const { return per_second > 0 || concurrent > 0; }
};

class RateTable {
 public:
  RateTable(RateLimit limit, std::size_t max_entries);

  enum class Refusal { none, rate, concurrency };
  struct Verdict {
    Refusal refusal = Refusal::none;
    // When to try again (Retry-After): when a token is back, or a
    // second for a concurrency refusal (no one can tell when a request
    // in flight ends).
    std::chrono::milliseconds retry_after{0};
    // The entry charged (the caller's, or the overflow entry's), for
    // release(): "" when nothing is held.
    std::string held;
    bool ok() const { return refusal == Refusal::none; }
  };

  // Takes one token from `key`'s bucket and, with `hold`, one place among
  // its requests in flight (give it back with release(verdict.held)).
  // Nothing is taken when refused.
  Verdict acquire(std::string key, SteadyTime now, bool hold);
  void release(const std::string& held);

  std::size_t size() const { return table_.size(); }

 private:
  struct Entry {
    TokenBucket bucket;
    std::size_t in_flight = 0;
  };

  RateLimit limit_;
  BoundedTable<Entry> table_;
};

}  // namespace postern::auth
