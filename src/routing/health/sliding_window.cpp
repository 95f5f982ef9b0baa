#include "routing/health/sliding_window.h"

#include <algorithm>

namespace postern::routing {

SlidingWindow::SlidingWindow(std::chrono::milliseconds span) { set_span(span); }

void SlidingWindow::set_span(std::chrono::milliseconds span) {
  span_ = std::max(span, std::chrono::milliseconds(kBuckets));
  width_ = std::chrono::duration_cast<std::chrono::nanoseconds>(span_) / kBuckets;
  clear();
}

void SlidingWindow::clear() { buckets_.fill(Bucket{}); }

std::int64_t SlidingWindow::bucket_of(SteadyTime t) const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() /
         width_.count();
}

void SlidingWindow::add(Tally kind, SteadyTime now) {
  auto index = bucket_of(now);
  auto& b = buckets_[static_cast<std::size_t>(index) % kBuckets];
  if (b.index != index) b = Bucket{index, {}};
  ++b.counts[static_cast<std::size_t>(kind)];
}

SlidingWindow::Counts SlidingWindow::sum(SteadyTime now) const {
  Counts out{};
  auto newest = bucket_of(now);
  for (const auto& b : buckets_) {
    if (b.index < 0 || b.index > newest || newest - b.index >= static_cast<std::int64_t>(kBuckets))
      continue;
    for (std::size_t k = 0; k < kTallyKinds; ++k) out[k] += b.counts[k];
  }
  return out;
}

}  // namespace postern::routing
