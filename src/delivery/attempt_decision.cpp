#include "delivery/attempt_decision.h"

#include <algorithm>

#include "providers/provider.h"

namespace postern::delivery {

namespace {

using providers::FailureClass;

// Whether a part's answer leaves nothing to do for its recipients: sent,
// or every one of them refused for good (the message goes on with the
// others; content the provider rejects is not settled and fails it).
bool part_settled(const AttemptFacts& facts) {
  if (facts.failure_class == FailureClass::ok) return true;
  if (facts.failure_class != FailureClass::permanent) return false;
  const auto& settled = facts.settled_recipients;
  return std::all_of(facts.recipients.begin(), facts.recipients.end(), [&](const Recipient& r) {
    return std::find(settled.begin(), settled.end(), r.address) != settled.end();
  });
}

// A part is done with: its recipients are settled, and the others wait for
// no back-off (Postfix splits by a relay's recipient limit the same way).
AttemptDecision part_done(AttemptFacts& facts) {
  AttemptDecision d;
  d.verdict = AttemptVerdict::part_done;
  d.next_status = MessageStatus::deferred;
  d.next_attempt_at = facts.now;
  d.counts_as_attempt = false;
  for (const auto& r : facts.recipients) d.settled_recipients.push_back(r.address);
  bool sent = facts.failure_class == FailureClass::ok;
  // Sent: those the provider refused (listed) stay refused; refused as a
  // whole: every one of the part.
  d.refused_recipients = sent ? std::move(facts.refused_recipients) : d.settled_recipients;
  auto counts = std::to_string(facts.recipients.size()) + " of " +
                std::to_string(facts.recipients_waiting) + " recipients";
  d.detail = (sent ? "sent to " + counts : counts + " refused for good") +
             ", as many as a provider of the pool takes in one send; the others follow at once (" +
             facts.detail + ")";
  return d;
}

AttemptDecision after_failure(AttemptFacts& facts, RetryPolicy& retry,
                              const HasAlternative& has_alternative) {
  AttemptDecision d;
  d.settled_recipients = std::move(facts.settled_recipients);
  d.refused_recipients = std::move(facts.refused_recipients);
  // Without a provider tried (none healthy, or all busy for too long) there
  // is no "elsewhere" to go to at once: back off.
  bool elsewhere = !facts.provider.empty() && has_alternative(facts.provider);
  auto r = retry.after_failure(facts.failure_class, facts.attempts_before + 1, facts.window_start,
                               facts.now, facts.retry_after, elsewhere);
  if (r.give_up) {
    d.verdict = AttemptVerdict::failed;
    d.next_status = MessageStatus::failed;
    d.detail = r.reason + (facts.detail.empty() ? "" : ": " + facts.detail);
  } else {
    d.verdict = AttemptVerdict::retry;
    d.next_status = MessageStatus::deferred;
    d.next_attempt_at = r.next_attempt_at;
    d.elsewhere = elsewhere;
    d.detail = std::move(facts.detail);
  }
  return d;
}

// Sent or quarantined: the answer is stored as it came.
AttemptDecision as_answered(AttemptFacts& facts, AttemptVerdict verdict, MessageStatus status) {
  AttemptDecision d;
  d.verdict = verdict;
  d.next_status = status;
  d.settled_recipients = std::move(facts.settled_recipients);
  d.refused_recipients = std::move(facts.refused_recipients);
  d.detail = std::move(facts.detail);
  return d;
}

}  // namespace

AttemptDecision decide_all_suppressed() {
  AttemptDecision d;
  d.verdict = AttemptVerdict::failed;
  d.next_status = MessageStatus::failed;
  d.failure_class = kSuppressedClass;
  d.detail = "every recipient is on the suppression list";
  return d;
}

AttemptDecision decide_attempt(AttemptFacts facts, RetryPolicy& retry,
                               const HasAlternative& has_alternative) {
  if (facts.recipients_waiting > 0 && part_settled(facts)) return part_done(facts);
  if (facts.failure_class == FailureClass::ok) {
    return as_answered(facts, AttemptVerdict::sent, MessageStatus::sent);
  }
  if (facts.code == providers::kCorruptMessageCode) {
    return as_answered(facts, AttemptVerdict::quarantined, MessageStatus::quarantined);
  }
  return after_failure(facts, retry, has_alternative);
}

}  // namespace postern::delivery
