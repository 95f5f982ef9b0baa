// What the answer to one delivery attempt means for its message: sent, a
// part done with the other recipients due at once, retried (when, and
// whether elsewhere), failed, or quarantined. This is the decision half of
// the dispatcher's finish(), apart from the code that records it (store,
// metrics, waiters), as Postfix keeps deliver, defer and bounce apart from
// the queue manager: no store, router, clock or metrics here, so every case
// is one row of a table test.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/message.h"
#include "core/status.h"
#include "delivery/retry_policy.h"
#include "providers/failure_class.h"

namespace postern::delivery {

// What is known when an attempt ends.
struct AttemptFacts {
  // The answer: the provider's SendResult, or the dispatcher's own when no
  // provider was reached.
  providers::FailureClass failure_class = providers::FailureClass::transient;
  std::string code;
  std::string detail;  // already bounded for the event
  std::optional<std::chrono::milliseconds> retry_after;
  std::vector<std::string> settled_recipients;
  std::vector<std::string> refused_recipients;
  // The provider that answered; empty when none was picked (none healthy,
  // or every one busy for too long).
  std::string provider;
  // The recipients this attempt carried.
  std::span<const Recipient> recipients;
  // When the attempt carried only the first part of the recipients
  // waiting: how many wait in all. 0 when it carried them all.
  std::size_t recipients_waiting = 0;
  int attempts_before = 0;  // attempts the message had before this one
  SystemTime window_start;  // when the message's retry window began
  SystemTime now;
};

// The class (store::AttemptRecord::failure_class) and code of a message
// that had no recipient left to send to: each was on the suppression list
// at intake (store.h NewMessage::suppressed), so no provider was asked.
inline constexpr std::string_view kSuppressedClass = "suppressed";

enum class AttemptVerdict {
  sent,         // final: a provider accepted the message
  part_done,    // the part's recipients are settled; the others are due at once
  retry,        // deferred until next_attempt_at
  failed,       // final: a permanent failure, or retries spent
  quarantined,  // final: the stored message cannot be decoded
};

struct AttemptDecision {
  AttemptVerdict verdict = AttemptVerdict::sent;
  MessageStatus next_status = MessageStatus::sent;  // how the verdict is stored
  SystemTime next_attempt_at{};                     // part_done and retry
  // retry: another provider can take the message now. The next attempt
  // avoids the one that just failed, and waits for no back-off but after
  // the first tries (RetryPolicy::after_failure).
  bool elsewhere = false;
  // False for part_done: the message moved on, and a part spends no try.
  bool counts_as_attempt = true;
  // What store::AttemptRecord calls the same: the recipients the message is
  // done with, and of those the ones refused for good.
  std::vector<std::string> settled_recipients;
  std::vector<std::string> refused_recipients;
  std::string detail;  // the event's text
  // The class recorded when it is not the answer's (kSuppressedClass);
  // empty: the answer's.
  std::string_view failure_class;
};

// Whether a provider of the message's pool other than `tried` is in the
// active set now.
using HasAlternative = std::function<bool(const std::string& tried)>;

// An attempt whose lease carried no recipient: every one left was on the
// suppression list. The message fails with class kSuppressedClass, and no
// provider is asked.
AttemptDecision decide_all_suppressed();

// Decides what `facts` mean. Deterministic but for the retry policy's
// jitter. `has_alternative` is asked at most once: only for a failure
// answered by a provider (neither sent, a part done, nor quarantined).
AttemptDecision decide_attempt(AttemptFacts facts, RetryPolicy& retry,
                               const HasAlternative& has_alternative);

}  // namespace postern::delivery
