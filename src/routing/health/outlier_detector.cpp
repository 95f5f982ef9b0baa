#include "routing/health/outlier_detector.h"

#include <algorithm>
#include <cstdio>

namespace postern::routing {

namespace {

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", share * 100);
  return buf;
}

}  // namespace

void OutlierDetector::configure(const OutlierOptions& options) {
  if (window_.span() != options.window) window_.set_span(options.window);
}

void OutlierDetector::reset_counts() {
  consecutive_failures_ = 0;
  consecutive_down_ = 0;
  window_.clear();
}

OutlierDetector::Change OutlierDetector::record(Verdict verdict, SteadyTime now,
                                                const OutlierOptions& options) {
  Change change;
  if (phase_ == OutlierPhase::ejected || verdict == Verdict::neutral)
    return change;  // late answers
  if (phase_ == OutlierPhase::half_open) {
    if (verdict == Verdict::success) {
      trial_throttled_ = 0;
      if (++trial_successes_ >= std::max<std::size_t>(1, options.trial_successes)) {
        phase_ = OutlierPhase::ok;
        recovered_at_ = now;
        reason_.clear();
        reset_counts();
        change.kind = Change::Kind::recovered;
      }
    } else if (verdict != Verdict::throttled) {
      change.kind = Change::Kind::eject;
      change.reason = "the half-open trial failed";
    } else if (++trial_throttled_ >= std::max<std::size_t>(1, options.trial_successes)) {
      // A 429 alone neither passes nor fails the trial. But a provider that
      // answers the trial with nothing else (429 pressure going on, with a
      // Retry-After of 0 or none that pauses it) would stay half-open for
      // ever and take one attempt after another, every one refused: as many
      // 429s in a row as the successes it needs fail the trial, and the
      // ejection grows as for any failed trial.
      change.kind = Change::Kind::eject;
      change.reason =
          "429 pressure during the half-open trial: " + std::to_string(trial_throttled_) +
          " in a row";
    }
    return change;
  }
  switch (verdict) {
    case Verdict::success:
      consecutive_failures_ = consecutive_down_ = 0;
      window_.add(Tally::success, now);
      break;
    case Verdict::failure:
      ++consecutive_failures_;
      consecutive_down_ = 0;
      window_.add(Tally::failure, now);
      break;
    case Verdict::down:
      ++consecutive_failures_;
      ++consecutive_down_;
      window_.add(Tally::failure, now);
      break;
    case Verdict::throttled:
      window_.add(Tally::throttled, now);
      break;
    case Verdict::neutral:
      break;
  }
  if (options.consecutive_down > 0 && consecutive_down_ >= options.consecutive_down) {
    change.kind = Change::Kind::eject;
    change.reason = consecutive_down_ == 1
                        ? "the provider is down (connection refused, credentials or account)"
                        : std::to_string(consecutive_down_) + " provider_down answers in a row";
    return change;
  }
  if (options.consecutive_failures > 0 && consecutive_failures_ >= options.consecutive_failures) {
    change.kind = Change::Kind::eject;
    change.reason = std::to_string(consecutive_failures_) + " failures in a row";
    return change;
  }
  auto counts = window_.sum(now);
  auto ok = count(counts, Tally::success), failed = count(counts, Tally::failure);
  auto throttled = count(counts, Tally::throttled);
  auto answers = ok + failed + throttled;
  if (answers < std::max<std::size_t>(1, options.min_requests)) return change;
  auto share = [answers](std::uint64_t n) {
    return static_cast<double>(n) / static_cast<double>(answers);
  };
  if (options.error_rate > 0 && share(failed) >= options.error_rate) {
    change.kind = Change::Kind::eject;
    change.reason =
        "error rate " + percent(share(failed)) + " over " + std::to_string(answers) + " answers";
  } else if (options.throttle_rate > 0 && share(throttled) >= options.throttle_rate) {
    change.kind = Change::Kind::eject;
    change.reason = "429 pressure: " + percent(share(throttled)) + " of " +
                    std::to_string(answers) + " answers";
  }
  return change;
}

void OutlierDetector::eject(std::string reason, SteadyTime now, const OutlierOptions& options) {
  // A provider that stayed healthy for a whole max_ejection starts over.
  if (phase_ == OutlierPhase::ok && ejections_ > 0 && now - recovered_at_ >= options.max_ejection)
    ejections_ = 0;
  auto factor = std::int64_t{1} << std::min<std::size_t>(ejections_, 20);
  auto pause =
      std::min<std::chrono::milliseconds>(options.max_ejection, options.base_ejection * factor);
  ++ejections_;
  phase_ = OutlierPhase::ejected;
  ejected_until_ = now + pause;
  reason_ = std::move(reason);
  trial_successes_ = trial_throttled_ = 0;
  reset_counts();
}

void OutlierDetector::keep() {
  if (phase_ == OutlierPhase::half_open) {
    trial_successes_ = trial_throttled_ = 0;  // the trial goes on
    return;
  }
  reset_counts();
}

void OutlierDetector::start_trial() {
  if (phase_ != OutlierPhase::ejected) return;
  phase_ = OutlierPhase::half_open;
  trial_successes_ = trial_throttled_ = 0;
}

bool OutlierDetector::advance(SteadyTime now) {
  if (phase_ != OutlierPhase::ejected || now < ejected_until_) return false;
  phase_ = OutlierPhase::half_open;
  trial_successes_ = trial_throttled_ = 0;
  return true;
}

}  // namespace postern::routing
