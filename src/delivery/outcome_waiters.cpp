#include "delivery/outcome_waiters.h"

namespace postern::delivery {

void OutcomeWaiters::wait(MessageId id, std::chrono::steady_clock::time_point deadline, Done done) {
  std::lock_guard lock(mu_);
  waiters_.emplace(id.value(), Waiter{deadline, std::move(done)});
}

void OutcomeWaiters::notify(MessageId id, const Outcome& outcome) {
  std::vector<Done> ready;
  {
    std::lock_guard lock(mu_);
    auto [begin, end] = waiters_.equal_range(id.value());
    for (auto it = begin; it != end; ++it) ready.push_back(std::move(it->second.done));
    waiters_.erase(begin, end);
  }
  // Answer outside the lock: a callback may register a new wait.
  for (auto& d : ready) d(outcome);
}

void OutcomeWaiters::expire(std::chrono::steady_clock::time_point now) {
  std::vector<Done> expired;
  {
    std::lock_guard lock(mu_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second.done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& d : expired) d(std::nullopt);
}

void OutcomeWaiters::expire_all() { expire(std::chrono::steady_clock::time_point::max()); }

std::size_t OutcomeWaiters::size() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

}  // namespace postern::delivery
