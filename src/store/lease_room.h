// What is left of a lease's limits (store.h LeaseLimits) as a backend takes
// its queues in turn (deferred, queued, deferred again): each queue's share
// of the count, the content bytes left, and whether the next queue may
// still take an oversized first message. Both backends' lease() run on it,
// so they split a lease the same way.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "store/store.h"

namespace postern::store {

class LeaseRoom {
 public:
  explicit LeaseRoom(const LeaseLimits& limits) : limits_(limits), bytes_left_(limits.bytes) {}

  // How many the next queue may take, `taken` being taken already: its
  // `share`, within what is left of the count.
  std::size_t messages(std::size_t share, std::size_t taken) const {
    return std::min(share, limits_.messages - std::min(taken, limits_.messages));
  }
  // The content bytes left, as the lease statements bind them (signed).
  std::int64_t bytes() const {
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(bytes_left_, kMax));
  }
  // Whether the next queue takes its first message whatever its size: the
  // caller allows it and nothing is taken yet, so a lease takes one.
  bool oversized_first(std::size_t taken) const { return limits_.oversized_first && taken == 0; }
  // Counts what a queue took: out[first..].
  void took(const std::vector<LeasedMessage>& out, std::size_t first) {
    for (auto i = first; i < out.size(); ++i) {
      bytes_left_ -= std::min<std::uint64_t>(bytes_left_, out[i].content.size());
    }
  }

 private:
  LeaseLimits limits_;
  std::uint64_t bytes_left_;
};

}  // namespace postern::store
