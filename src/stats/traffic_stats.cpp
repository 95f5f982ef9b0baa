#include "stats/traffic_stats.h"

#include <algorithm>

namespace postern::stats {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t kSecondBuckets = 4;  // the current second, the last whole one, and slack

}  // namespace

std::uint64_t TrafficBucket::attempts() const {
  std::uint64_t n = 0;
  for (const auto& [name, p] : providers) n += p.attempts;
  return n;
}

BucketRing::BucketRing(milliseconds width, std::size_t count)
    : width_(width), slots_(std::max<std::size_t>(count, 1)), used_(slots_.size(), false) {}

SystemTime BucketRing::start_of(SystemTime t) const {
  const auto ms = to_unix_ms(t);
  const auto w = width_.count();
  return from_unix_ms(ms - ((ms % w) + w) % w);
}

TrafficBucket* BucketRing::at(SystemTime t) {
  const auto start = start_of(t);
  const auto number = to_unix_ms(start) / width_.count();
  const auto n = static_cast<std::int64_t>(slots_.size());
  const auto slot = static_cast<std::size_t>(((number % n) + n) % n);
  auto& b = slots_[slot];
  if (used_[slot] && b.start == start) return &b;
  if (used_[slot] && b.start > start) return nullptr;  // a newer bucket took the slot
  b = TrafficBucket{};
  b.start = start;
  used_[slot] = true;
  return &b;
}

std::vector<TrafficBucket> BucketRing::between(SystemTime from, SystemTime to) const {
  std::vector<TrafficBucket> out;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (used_[i] && slots_[i].start >= start_of(from) && slots_[i].start <= to)
      out.push_back(slots_[i]);
  }
  std::sort(out.begin(), out.end(),
            [](const TrafficBucket& a, const TrafficBucket& b) { return a.start < b.start; });
  return out;
}

TrafficStats::TrafficStats(const Clock& clock, TrafficOptions options)
    : clock_(clock),
      options_(options),
      hour_(options.bucket, options.buckets),
      seconds_(milliseconds(1000), kSecondBuckets) {}

void TrafficStats::add(SystemTime at,
                       const std::function<void(TrafficBucket&, bool per_second)>& change) {
  std::lock_guard lock(mu_);
  if (auto* b = hour_.at(at)) change(*b, false);
  if (auto* b = seconds_.at(at)) change(*b, true);
}

void TrafficStats::record_intake(std::uint64_t messages) {
  add(clock_.now(), [&](TrafficBucket& b, bool) { b.accepted += messages; });
}

void TrafficStats::record_attempt(const AttemptSeen& a) {
  add(clock_.now(), [&](TrafficBucket& b, bool per_second) {
    switch (a.status) {
      case MessageStatus::sent:
        ++b.sent;
        break;
      case MessageStatus::deferred:
        ++b.deferred;
        break;
      case MessageStatus::failed:
      case MessageStatus::quarantined:
        ++b.failed;
        break;
      default:
        break;
    }
    auto& p = b.providers[a.provider];
    ++p.attempts;
    if (a.ok) ++p.ok;
    // The per-second ring counts attempts for the rate; latency is the
    // hour's business.
    if (!per_second) p.latency.add(a.latency);
  });
}

std::vector<TrafficBucket> TrafficStats::history() const {
  const auto now = clock_.now();
  std::lock_guard lock(mu_);
  return hour_.between(now - hour_.window() + hour_.width(), now);
}

TrafficBucket TrafficStats::current() const {
  const auto now = clock_.now();
  std::lock_guard lock(mu_);
  const auto start = hour_.start_of(now);
  auto in = hour_.between(start, now);
  if (!in.empty() && in.back().start == start) return in.back();
  TrafficBucket empty;
  empty.start = start;
  return empty;
}

Rates TrafficStats::rates() const {
  const auto last = clock_.now() - milliseconds(1000);
  std::lock_guard lock(mu_);
  const auto start = seconds_.start_of(last);
  Rates r;
  for (const auto& b : seconds_.between(start, start)) {
    r.accepted = static_cast<double>(b.accepted);
    r.sent = static_cast<double>(b.sent);
    r.failed = static_cast<double>(b.failed);
    r.attempts = static_cast<double>(b.attempts());
  }
  return r;
}

}  // namespace postern::stats
