// Sync sends (Prefer: wait=N): callers waiting for a message to reach a final
// status. The dispatcher reports final outcomes; a periodic sweep answers
// the callers whose wait ran out. In-process only: in a cluster, the node
// that took the request waits only for the deliveries it makes itself, so a
// peer's delivery shows up as a timeout with the message still pending.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/message_id.h"
#include "core/status.h"

namespace postern::delivery {

struct Outcome {
  MessageStatus status = MessageStatus::sent;
  std::string provider;
  std::string provider_message_id;
  std::string failure_class;
  std::string code;
  std::string detail;
};

class OutcomeWaiters {
 public:
  using Done = std::function<void(std::optional<Outcome>)>;

  // Calls `done` once: with the outcome when the message reaches a final
  // status, or with nullopt once `deadline` has passed (at the next sweep).
  // `done` runs on the reporting thread; it must be quick.
  void wait(MessageId id, std::chrono::steady_clock::time_point deadline, Done done);

  // A message reached a final status: answers everyone waiting for it.
  void notify(MessageId id, const Outcome& outcome);

  // Answers nullopt to the waiters whose deadline is before `now`.
  void expire(std::chrono::steady_clock::time_point now);

  // Answers nullopt to every waiter (shutdown).
  void expire_all();

  std::size_t size() const;

 private:
  struct Waiter {
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };
  mutable std::mutex mu_;
  std::unordered_multimap<std::uint64_t, Waiter> waiters_;  // guarded by mu_
};

}  // namespace postern::delivery
