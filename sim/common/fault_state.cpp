#include "sim/common/fault_state.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "core/ascii.h"
#include "sim/common/id_source.h"

namespace postern::sim {

FaultState::FaultState(FaultSpec initial, std::uint64_t seed)
    : spec_(std::move(initial)), seed_(seed) {}

FaultSpec FaultState::spec() const {
  std::lock_guard lock(mu_);
  return spec_;
}

void FaultState::set(FaultSpec spec) {
  std::lock_guard lock(mu_);
  spec_ = std::move(spec);
}

double FaultState::draw() {
  auto bits = splitmix64(seed_ + counter_.fetch_add(1, std::memory_order_relaxed));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

FaultDecision FaultState::decide(bool probe) {
  bool hang, auth_fail;
  double error_rate, throttle_rate;
  int error_status;
  std::chrono::seconds retry_after;
  LatencyRange latency;
  {
    std::lock_guard lock(mu_);
    if (probe && !spec_.probes) return {};
    hang = spec_.hang;
    auth_fail = spec_.auth_fail;
    error_rate = spec_.error_rate;
    throttle_rate = spec_.throttle_rate;
    error_status = spec_.error_status;
    retry_after = spec_.retry_after;
    latency = spec_.latency;
  }
  FaultDecision d;
  if (hang) {
    d.kind = FaultDecision::Kind::hang;
    return d;
  }
  d.latency = latency.min;
  if (latency.max > latency.min) {
    auto span = static_cast<double>((latency.max - latency.min).count() + 1);
    d.latency += std::chrono::milliseconds(static_cast<std::int64_t>(draw() * span));
  }
  if (auth_fail) {
    d.kind = FaultDecision::Kind::auth;
  } else if (throttle_rate > 0 && draw() < throttle_rate) {
    d.kind = FaultDecision::Kind::throttle;
    d.retry_after = retry_after;
  } else if (error_rate > 0 && draw() < error_rate) {
    d.kind = FaultDecision::Kind::error;
    d.status = error_status;
  }
  return d;
}

namespace {

bool any_matches(const std::vector<std::string>& patterns, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& pattern) { return glob_match(pattern, text); });
}

}  // namespace

bool FaultState::rejects(std::string_view recipient) const {
  std::lock_guard lock(mu_);
  return any_matches(spec_.reject, recipient);
}

bool FaultState::defers(std::string_view recipient) const {
  std::lock_guard lock(mu_);
  return any_matches(spec_.defer, recipient);
}

EventOutcome FaultState::outcome(std::string_view recipient) const {
  std::lock_guard lock(mu_);
  if (any_matches(spec_.complain, recipient)) return EventOutcome::complained;
  if (any_matches(spec_.bounce, recipient)) return EventOutcome::bounced;
  if (any_matches(spec_.soft_bounce, recipient)) return EventOutcome::soft_bounced;
  if (any_matches(spec_.defer_event, recipient)) return EventOutcome::deferred;
  return EventOutcome::delivered;
}

bool FaultState::auth_failing() const {
  std::lock_guard lock(mu_);
  return spec_.auth_fail;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear for patterns with a
  // single '*', O(n*m) at worst, never exponential.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  auto same = [](char a, char b) { return ascii_lower(a) == ascii_lower(b); };
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace postern::sim
