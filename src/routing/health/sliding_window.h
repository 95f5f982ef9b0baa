// Counts of answers over the last `span` of time, in fixed buckets: the
// error rate of outlier detection and the last minute shown by the API.
// No allocation after construction; old buckets are reused as time moves.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "core/clock.h"

namespace postern::routing {

enum class Tally { success, failure, throttled, picked };
inline constexpr std::size_t kTallyKinds = 4;

class SlidingWindow {
 public:
  using Counts = std::array<std::uint64_t, kTallyKinds>;
  static constexpr std::size_t kBuckets = 20;

  explicit SlidingWindow(std::chrono::milliseconds span = std::chrono::seconds(60));
  // A new span empties the window.
  void set_span(std::chrono::milliseconds span);
  std::chrono::milliseconds span() const { return span_; }

  void add(Tally kind, SteadyTime now);
  // Sums over the buckets that lie within `span` of `now`.
  Counts sum(SteadyTime now) const;
  void clear();

 private:
  std::int64_t bucket_of(SteadyTime t) const;

  struct Bucket {
    std::int64_t index = -1;  // which bucket of time it holds
    Counts counts{};
  };
  std::chrono::milliseconds span_;
  std::chrono::nanoseconds width_;
  std::array<Bucket, kBuckets> buckets_{};
};

inline std::uint64_t count(const SlidingWindow::Counts& c, Tally kind) {
  return c[static_cast<std::size_t>(kind)];
}

}  // namespace postern::routing
