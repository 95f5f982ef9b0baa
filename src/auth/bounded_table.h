// A table of per-caller state (token buckets, failed logins) keyed by an API
// key, a client address or an SMTP user, whose size is bounded whatever the
// traffic: a flood of distinct addresses must not grow it without end.
// Sans-io and not thread-safe (auth/abuse_limits.h holds the lock).
//
// Hand-written rather than a cache library: the rule of what may be dropped
// is the caller's (an entry that holds no information any more, e.g. a full
// bucket with nothing in flight, can be forgotten without changing any
// answer), which an LRU cache does not express.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace postern::auth {

template <class Entry>
class BoundedTable {
 public:
  // The key every caller not in the table shares once it is full and
  // nothing can be dropped: past the cap, new callers are limited together
  // rather than not at all.
  static constexpr std::string_view kOverflow = "*";

  explicit BoundedTable(std::size_t max_entries) : max_(max_entries < 1 ? 1 : max_entries) {}

  // The entry of `key`, made by `make()` when new. When the table is full,
  // entries for which `idle(entry, now)` holds are dropped first (at most
  // one sweep a second: a sweep is O(n)); if none can be, the overflow
  // entry is answered instead, and `key` is set to kOverflow so that the
  // caller releases what it takes from the right entry.
  template <class Make, class Idle>
  Entry& find_or_add(std::string& key, SteadyTime now, Make make, Idle idle) {
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
    if (entries_.size() >= max_) sweep(now, idle);
    if (entries_.size() >= max_) {
      key = std::string(kOverflow);
      auto it = entries_.find(key);
      // The overflow entry may take the table one past its cap.
      if (it == entries_.end()) it = entries_.emplace(key, make()).first;
      return it->second;
    }
    return entries_.emplace(key, make()).first->second;
  }

  // The entry of `key`, or null.
  Entry* find(std::string_view key) {
    auto it = entries_.find(std::string(key));
    return it == entries_.end() ? nullptr : &it->second;
  }

  void erase(std::string_view key) { entries_.erase(std::string(key)); }
  std::size_t size() const { return entries_.size(); }

 private:
  template <class Idle>
  void sweep(SteadyTime now, Idle idle) {
    if (swept_ && now - *swept_ < std::chrono::seconds(1)) return;
    swept_ = now;
    std::erase_if(entries_, [&](const auto& kv) { return idle(kv.second, now); });
  }

  std::size_t max_;
  std::unordered_map<std::string, Entry> entries_;
  std::optional<SteadyTime> swept_;
};

}  // namespace postern::auth
