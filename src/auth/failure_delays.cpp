#include "auth/failure_delays.h"

#include <algorithm>

namespace postern::auth {

FailureDelays::FailureDelays(FailureDelayOptions options, std::size_t max_entries)
    : options_(options), table_(max_entries) {}

std::chrono::milliseconds FailureDelays::delay_after(std::size_t failures) const {
  if (failures <= options_.free || options_.first.count() <= 0) return {};
  auto delay = options_.first;
  // Doubling stops at the cap; the loop is bounded by it, not by failures.
  for (std::size_t n = options_.free + 1; n < failures && delay < options_.max; ++n) delay *= 2;
  return std::min(delay, options_.max);
}

std::optional<std::chrono::milliseconds> FailureDelays::blocked(std::string address,
                                                                SteadyTime now) {
  auto* e = table_.find(address);
  // Past the cap an address not in the table shares the overflow entry.
  if (!e && table_.size() > 0) e = table_.find(BoundedTable<Entry>::kOverflow);
  if (!e || now >= e->blocked_until) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(e->blocked_until - now);
}

std::chrono::milliseconds FailureDelays::failed(std::string address, SteadyTime now) {
  auto& e = table_.find_or_add(
      address, now, [] { return Entry{}; },
      [this](const Entry& x, SteadyTime at) { return forgotten(x, at); });
  if (e.failures > 0 && forgotten(e, now)) e = Entry{};
  ++e.failures;
  e.last_failure = now;
  auto delay = delay_after(e.failures);
  e.blocked_until = now + delay;
  return delay;
}

void FailureDelays::succeeded(std::string_view address) { table_.erase(address); }

}  // namespace postern::auth
