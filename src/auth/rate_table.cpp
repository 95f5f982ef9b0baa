#include "auth/rate_table.h"

#include <cmath>

namespace postern::auth {

RateTable::RateTable(RateLimit limit, std::size_t max_entries)
    : limit_(limit), table_(max_entries) {}

RateTable::Verdict RateTable::acquire(std::string key, SteadyTime now, bool hold) {
  Verdict v;
  if (!limit_.enabled()) return v;
  auto make = [&] {
    Entry e;
    e.bucket.configure(limit_.per_second, limit_.burst, now);
    return e;
  };
  // An entry with nothing in flight and a full bucket holds no information:
  // a new one made later answers the same.
  auto idle = [this](const Entry& e, SteadyTime at) {
    return e.in_flight == 0 && e.bucket.tokens(at) >= e.bucket.burst();
  };
  Entry& e = table_.find_or_add(key, now, make, idle);
  if (limit_.concurrent > 0 && hold && e.in_flight >= limit_.concurrent) {
    v.refusal = Refusal::concurrency;
    v.retry_after = std::chrono::seconds(1);
    return v;
  }
  if (!e.bucket.ready(now)) {
    v.refusal = Refusal::rate;
    v.retry_after = std::chrono::ceil<std::chrono::milliseconds>(e.bucket.ready_at(now) - now);
    return v;
  }
  e.bucket.take(now);
  if (hold && limit_.concurrent > 0) {
    ++e.in_flight;
    v.held = std::move(key);
  }
  return v;
}

void RateTable::release(const std::string& held) {
  if (held.empty()) return;
  if (auto* e = table_.find(held); e && e->in_flight > 0) --e->in_flight;
}

}  // namespace postern::auth
