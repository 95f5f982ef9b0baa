#include "core/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace postern {

namespace {

double seconds(SteadyTime::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

void TokenBucket::configure(double rate, double burst, SteadyTime now) {
  if (limited()) refill(now);
  bool was_limited = limited();
  rate_ = rate > 0 ? rate : 0;
  burst_ = std::max(1.0, burst);
  tokens_ = was_limited ? std::min(tokens_, burst_) : burst_;
  updated_ = now;
}

void TokenBucket::refill(SteadyTime now) {
  if (now <= updated_) return;
  tokens_ = std::min(burst_, tokens_ + seconds(now - updated_) * rate_);
  updated_ = now;
}

double TokenBucket::tokens(SteadyTime now) const {
  if (!limited()) return burst_;
  if (now <= updated_) return tokens_;
  return std::min(burst_, tokens_ + seconds(now - updated_) * rate_);
}

bool TokenBucket::ready(SteadyTime now) const {
  return now >= paused_until_ && (!limited() || tokens(now) >= 1.0);
}

void TokenBucket::take(SteadyTime now) {
  if (!limited()) return;
  refill(now);
  tokens_ -= 1.0;
}

SteadyTime TokenBucket::ready_at(SteadyTime now) const {
  SteadyTime at = std::max(now, paused_until_);
  if (!limited()) return at;
  double missing = 1.0 - tokens(at);
  if (missing <= 0) return at;
  auto wait = std::chrono::duration<double>(missing / rate_);
  return at + std::chrono::ceil<SteadyTime::duration>(wait);
}

void TokenBucket::pause_until(SteadyTime until) { paused_until_ = std::max(paused_until_, until); }

}  // namespace postern
