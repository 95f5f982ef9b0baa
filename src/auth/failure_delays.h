// Failed logins per client address, with growing delays: after `free`
// failures each further one shuts the address out for a delay that doubles
// from `first` up to `max`; a success, or `reset` without a failure, forgets
// the address. Attempts while shut out are refused unchecked, so a guesser
// gets a handful of tries, then ever fewer per hour. Sans-io (the time is
// passed in); not thread-safe (auth/abuse_limits.h holds the lock).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "auth/bounded_table.h"
#include "core/clock.h"

namespace postern::auth {

struct FailureDelayOptions {
  std::size_t free = 3;  // failures before the first delay
  std::chrono::milliseconds first{1000};
  std::chrono::milliseconds max{std::chrono::minutes(5)};
  std::chrono::milliseconds reset{std::chrono::minutes(15)};
};

class FailureDelays {
 public:
  FailureDelays(FailureDelayOptions options, std::size_t max_entries);

  // How long `address` must still wait before its next attempt, or nullopt
  // when it may try now.
  std::optional<std::chrono::milliseconds> blocked(std::string address, SteadyTime now);
  // Records a failure; answers the delay it imposes (0 within `free`).
  std::chrono::milliseconds failed(std::string address, SteadyTime now);
  void succeeded(std::string_view address);

  // The delay after the n-th failure in a row (1-based).
  std::chrono::milliseconds delay_after(std::size_t failures) const;
  std::size_t size() const { return table_.size(); }

 private:
  struct Entry {
    std::size_t failures = 0;
    SteadyTime last_failure{};
    SteadyTime blocked_until{};
  };
  bool forgotten(const Entry& e, SteadyTime now) const {
    return now - e.last_failure >= options_.reset && now >= e.blocked_until;
  }

  FailureDelayOptions options_;
  BoundedTable<Entry> table_;
};

}  // namespace postern::auth
