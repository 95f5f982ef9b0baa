// What this node did lately, for the dashboard (GET /v1/stats and the
// `stats` event of /v1/events): messages accepted and ended, and each
// provider's attempts, successes and latency, counted in fixed time
// buckets kept in a ring (by default 10 s buckets over the last hour), and
// in 1 s buckets over the last few seconds for the current rates. Kept in
// memory, per node: a restart starts it again, and nothing is read from the
// store to fill it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "stats/latency_sketch.h"

namespace postern::stats {

struct ProviderFigures {
  std::uint64_t attempts = 0;
  std::uint64_t ok = 0;  // attempts whose failure class is `ok`
  LatencySketch latency;
};

struct TrafficBucket {
  SystemTime start{};          // aligned on the bucket width
  std::uint64_t accepted = 0;  // messages taken at intake
  std::uint64_t sent = 0;      // attempts that ended their message sent
  std::uint64_t failed = 0;    // ... failed (or quarantined)
  std::uint64_t deferred = 0;  // ... deferred for a retry
  std::map<std::string, ProviderFigures> providers;
  std::uint64_t attempts() const;
};

// One recorded attempt, as the dispatcher saw it once stored.
struct AttemptSeen {
  std::string provider;
  bool ok = false;
  std::chrono::microseconds latency{0};
  MessageStatus status = MessageStatus::sent;  // the message's status after it
};

// Buckets of a fixed width over a fixed window, oldest overwritten first.
// Not thread-safe (TrafficStats locks).
class BucketRing {
 public:
  BucketRing(std::chrono::milliseconds width, std::size_t count);
  // The bucket holding `t`, emptied first when its slot held an older one;
  // nullptr when `t` is older than what the slot holds (out of the window).
  TrafficBucket* at(SystemTime t);
  // The buckets that hold something, from `from` to `to` inclusive, oldest
  // first.
  std::vector<TrafficBucket> between(SystemTime from, SystemTime to) const;
  SystemTime start_of(SystemTime t) const;
  std::chrono::milliseconds width() const { return width_; }
  std::chrono::milliseconds window() const { return width_ * static_cast<long>(slots_.size()); }

 private:
  std::chrono::milliseconds width_;
  std::vector<TrafficBucket> slots_;
  std::vector<bool> used_;
};

// Messages per second over the last complete second.
struct Rates {
  double accepted = 0;
  double sent = 0;
  double failed = 0;
  double attempts = 0;
};

struct TrafficOptions {
  std::chrono::milliseconds bucket{10'000};
  std::size_t buckets = 360;  // an hour of 10 s buckets
};

// Thread-safe: intake and the dispatcher record from their threads, the
// API and the live feed read.
class TrafficStats {
 public:
  explicit TrafficStats(const Clock& clock, TrafficOptions options = {});

  void record_intake(std::uint64_t messages = 1);
  void record_attempt(const AttemptSeen& attempt);

  // The window's buckets that hold something, oldest first, the current
  // (partial) one last when it holds something.
  std::vector<TrafficBucket> history() const;
  // The current bucket so far (empty, with its start, when nothing happened yet).
  TrafficBucket current() const;
  Rates rates() const;
  std::chrono::milliseconds bucket_width() const { return options_.bucket; }
  std::chrono::milliseconds window() const {
    return options_.bucket * static_cast<long>(options_.buckets);
  }

 private:
  void add(SystemTime at, const std::function<void(TrafficBucket&, bool per_second)>& change);

  const Clock& clock_;
  const TrafficOptions options_;
  mutable std::mutex mu_;
  BucketRing hour_;     // guarded by mu_
  BucketRing seconds_;  // guarded by mu_; totals only, for the rates
};

}  // namespace postern::stats
