#include "delivery/attempt_decision.h"

#include <gtest/gtest.h>

#include <map>

#include "providers/provider.h"

namespace postern::delivery {
namespace {

using providers::FailureClass;
using namespace std::chrono_literals;
using Names = std::vector<std::string>;

const SystemTime kNow = from_unix_ms(1'700'000'000'000);

// Without jitter, so that every back-off is exact.
constexpr RetryOptions kPolicy{1000ms, 60s, 24h, 0.0};
constexpr RetryOptions kShortPolicy{200ms, 1s, 10s, 0.0};

// One case: what an attempt carried and what it was answered (with the
// state of the message and of the pool), and the decision expected.
struct Row {
  const char* name;
  // The answer.
  FailureClass answer = FailureClass::ok;
  std::string code;
  std::string detail;
  std::optional<std::chrono::milliseconds> retry_after;
  Names settled;  // by the provider
  Names refused;  // by the provider, for good
  // The attempt.
  std::string provider = "p1";  // empty: no provider was picked
  Names carried = {"a@x.org"};  // the recipients this attempt carried
  std::size_t waiting = 0;      // > 0: a part of this many recipients waiting
  int attempts_before = 0;
  std::chrono::milliseconds age = 0ms;  // of the message's retry window
  bool alternative = false;             // another provider can take it now
  RetryOptions policy = kPolicy;
  // The decision.
  AttemptVerdict verdict = AttemptVerdict::sent;
  std::optional<std::chrono::milliseconds> due_in;  // next_attempt_at - now; none: unset
  bool elsewhere = false;
  bool counts_as_attempt = true;
  Names settled_out;
  Names refused_out;
  std::string detail_out;
  bool asks_for_alternative = false;
};

const std::string kPartText =
    ", as many as a provider of the pool takes in one send; the others follow at once (";

const Row kRows[] = {
    // Sent.
    {.name = "sent_whole_message",
     .code = "202",
     .detail = "queued",
     .verdict = AttemptVerdict::sent,
     .detail_out = "queued"},
    {.name = "sent_with_one_recipient_refused_for_good",
     .code = "250",
     .settled = {"b@x.org"},
     .refused = {"b@x.org"},
     .carried = {"a@x.org", "b@x.org"},
     .verdict = AttemptVerdict::sent,
     .settled_out = {"b@x.org"},
     .refused_out = {"b@x.org"}},
    // Parts.
    {.name = "part_sent_others_follow_at_once",
     .detail = "ok",
     .refused = {"b@x.org"},
     .carried = {"a@x.org", "b@x.org"},
     .waiting = 5,
     .attempts_before = 4,
     .verdict = AttemptVerdict::part_done,
     .due_in = 0ms,
     .counts_as_attempt = false,
     .settled_out = {"a@x.org", "b@x.org"},
     .refused_out = {"b@x.org"},
     .detail_out = "sent to 2 of 5 recipients" + kPartText + "ok)"},
    {.name = "part_refused_for_good_others_follow_at_once",
     .answer = FailureClass::permanent,
     .detail = "550 no such user",
     .settled = {"b@x.org", "a@x.org"},
     .refused = {"b@x.org", "a@x.org"},
     .carried = {"a@x.org", "b@x.org"},
     .waiting = 3,
     .alternative = true,
     .verdict = AttemptVerdict::part_done,
     .due_in = 0ms,
     .counts_as_attempt = false,
     .settled_out = {"a@x.org", "b@x.org"},
     .refused_out = {"a@x.org", "b@x.org"},
     .detail_out = "2 of 3 recipients refused for good" + kPartText + "550 no such user)"},
    {.name = "part_with_content_rejected_fails_the_message",
     .answer = FailureClass::permanent,
     .detail = "554 spam",
     .settled = {"a@x.org"},
     .refused = {"a@x.org"},
     .carried = {"a@x.org", "b@x.org"},
     .waiting = 5,
     .verdict = AttemptVerdict::failed,
     .settled_out = {"a@x.org"},
     .refused_out = {"a@x.org"},
     .detail_out = "permanent failure: 554 spam",
     .asks_for_alternative = true},
    {.name = "part_failing_transiently_is_retried_whole_with_back_off",
     .answer = FailureClass::transient,
     .detail = "451 later",
     .carried = {"a@x.org", "b@x.org"},
     .waiting = 5,
     .verdict = AttemptVerdict::retry,
     .due_in = 1000ms,
     .detail_out = "451 later",
     .asks_for_alternative = true},
    // Permanent and corrupt.
    {.name = "permanent_fails_at_once_though_another_provider_could_take_it",
     .answer = FailureClass::permanent,
     .detail = "invalid recipient",
     .alternative = true,
     .verdict = AttemptVerdict::failed,
     .detail_out = "permanent failure: invalid recipient",
     .asks_for_alternative = true},
    {.name = "permanent_without_detail",
     .answer = FailureClass::permanent,
     .verdict = AttemptVerdict::failed,
     .detail_out = "permanent failure",
     .asks_for_alternative = true},
    {.name = "undecodable_message_is_quarantined",
     .answer = FailureClass::permanent,
     .code = std::string(providers::kCorruptMessageCode),
     .detail = "bad json",
     .alternative = true,
     .verdict = AttemptVerdict::quarantined,
     .detail_out = "bad json"},
    {.name = "undecodable_part_is_quarantined",
     .answer = FailureClass::permanent,
     .code = std::string(providers::kCorruptMessageCode),
     .carried = {"a@x.org", "b@x.org"},
     .waiting = 4,
     .verdict = AttemptVerdict::quarantined},
    // Transient: elsewhere at once for the first tries, then back off.
    {.name = "transient_first_try_goes_elsewhere_at_once",
     .answer = FailureClass::transient,
     .alternative = true,
     .verdict = AttemptVerdict::retry,
     .due_in = 0ms,
     .elsewhere = true,
     .asks_for_alternative = true},
    {.name = "transient_third_try_goes_elsewhere_at_once",
     .answer = FailureClass::transient,
     .attempts_before = 2,
     .alternative = true,
     .verdict = AttemptVerdict::retry,
     .due_in = 0ms,
     .elsewhere = true,
     .asks_for_alternative = true},
    {.name = "transient_fourth_try_elsewhere_backs_off",
     .answer = FailureClass::transient,
     .attempts_before = 3,
     .alternative = true,
     .verdict = AttemptVerdict::retry,
     .due_in = 1000ms,
     .elsewhere = true,
     .asks_for_alternative = true},
    {.name = "provider_down_fails_over_like_transient",
     .answer = FailureClass::provider_down,
     .detail = "connection refused",
     .alternative = true,
     .verdict = AttemptVerdict::retry,
     .due_in = 0ms,
     .elsewhere = true,
     .detail_out = "connection refused",
     .asks_for_alternative = true},
    {.name = "transient_same_provider_first_back_off",
     .answer = FailureClass::transient,
     .verdict = AttemptVerdict::retry,
     .due_in = 1000ms,
     .asks_for_alternative = true},
    {.name = "transient_same_provider_back_off_doubles",
     .answer = FailureClass::transient,
     .attempts_before = 2,
     .verdict = AttemptVerdict::retry,
     .due_in = 4000ms,
     .asks_for_alternative = true},
    {.name = "transient_same_provider_back_off_is_capped",
     .answer = FailureClass::transient,
     .attempts_before = 20,
     .verdict = AttemptVerdict::retry,
     .due_in = 60s,
     .asks_for_alternative = true},
    {.name = "short_policy_caps_its_back_off",
     .answer = FailureClass::transient,
     .attempts_before = 4,
     .policy = kShortPolicy,
     .verdict = AttemptVerdict::retry,
     .due_in = 1s,
     .asks_for_alternative = true},
    // The provider's own "retry after".
    {.name = "retry_after_longer_than_the_back_off_is_honoured",
     .answer = FailureClass::transient,
     .retry_after = 30s,
     .verdict = AttemptVerdict::retry,
     .due_in = 30s,
     .asks_for_alternative = true},
    {.name = "retry_after_shorter_than_the_back_off_waits_the_back_off",
     .answer = FailureClass::transient,
     .retry_after = 100ms,
     .verdict = AttemptVerdict::retry,
     .due_in = 1000ms,
     .asks_for_alternative = true},
    {.name = "retry_after_does_not_hold_back_a_retry_elsewhere",
     .answer = FailureClass::transient,
     .retry_after = 30s,
     .alternative = true,
     .verdict = AttemptVerdict::retry,
     .due_in = 0ms,
     .elsewhere = true,
     .asks_for_alternative = true},
    // No provider picked: no "elsewhere" to go to at once.
    {.name = "no_provider_picked_backs_off_without_asking",
     .answer = FailureClass::transient,
     .code = "no_provider",
     .provider = "",
     .alternative = true,
     .verdict = AttemptVerdict::retry,
     .due_in = 1000ms},
    // The retry window.
    {.name = "retries_spent_at_the_maximum_age",
     .answer = FailureClass::transient,
     .detail = "timeout",
     .attempts_before = 9,
     .age = 24h,
     .alternative = true,
     .verdict = AttemptVerdict::failed,
     .detail_out = "retries spent: the message is older than the maximum age: timeout",
     .asks_for_alternative = true},
    {.name = "last_try_at_the_end_of_the_window",
     .answer = FailureClass::transient,
     .attempts_before = 9,
     .age = 24h - 500ms,
     .verdict = AttemptVerdict::retry,
     .due_in = 500ms,
     .asks_for_alternative = true},
    {.name = "short_policy_window_spent",
     .answer = FailureClass::provider_down,
     .age = 10s,
     .policy = kShortPolicy,
     .verdict = AttemptVerdict::failed,
     .detail_out = "retries spent: the message is older than the maximum age",
     .asks_for_alternative = true},
    // Some recipients settled by a relay that deferred the others.
    {.name = "relay_deferring_one_recipient_keeps_the_settled_ones",
     .answer = FailureClass::transient,
     .detail = "451 try later",
     .settled = {"a@x.org", "c@x.org"},
     .refused = {"c@x.org"},
     .carried = {"a@x.org", "b@x.org", "c@x.org"},
     .attempts_before = 1,
     .verdict = AttemptVerdict::retry,
     .due_in = 2000ms,
     .settled_out = {"a@x.org", "c@x.org"},
     .refused_out = {"c@x.org"},
     .detail_out = "451 try later",
     .asks_for_alternative = true},
};

class AttemptDecisionTable : public ::testing::TestWithParam<Row> {};

TEST_P(AttemptDecisionTable, Decides) {
  const Row& row = GetParam();
  std::vector<Recipient> carried;
  for (const auto& a : row.carried) carried.push_back({a, RecipientKind::to});
  AttemptFacts facts{.failure_class = row.answer,
                     .code = row.code,
                     .detail = row.detail,
                     .retry_after = row.retry_after,
                     .settled_recipients = row.settled,
                     .refused_recipients = row.refused,
                     .provider = row.provider,
                     .recipients = carried,
                     .recipients_waiting = row.waiting,
                     .attempts_before = row.attempts_before,
                     .window_start = kNow - row.age,
                     .now = kNow};
  RetryPolicy policy(row.policy, 1);
  Names asked;

  auto d = decide_attempt(std::move(facts), policy, [&](const std::string& tried) {
    asked.push_back(tried);
    return row.alternative;
  });

  const std::map<AttemptVerdict, MessageStatus> stored_as = {
      {AttemptVerdict::sent, MessageStatus::sent},
      {AttemptVerdict::part_done, MessageStatus::deferred},
      {AttemptVerdict::retry, MessageStatus::deferred},
      {AttemptVerdict::failed, MessageStatus::failed},
      {AttemptVerdict::quarantined, MessageStatus::quarantined},
  };
  EXPECT_EQ(d.verdict, row.verdict);
  EXPECT_EQ(d.next_status, stored_as.at(row.verdict));
  if (row.due_in) {
    EXPECT_EQ(d.next_attempt_at - kNow, *row.due_in);
  } else {
    EXPECT_EQ(d.next_attempt_at, SystemTime{});
  }
  EXPECT_EQ(d.elsewhere, row.elsewhere);
  EXPECT_EQ(d.counts_as_attempt, row.counts_as_attempt);
  EXPECT_EQ(d.settled_recipients, row.settled_out);
  EXPECT_EQ(d.refused_recipients, row.refused_out);
  EXPECT_EQ(d.detail, row.detail_out);
  EXPECT_EQ(asked, row.asks_for_alternative ? Names{row.provider} : Names{});
}

INSTANTIATE_TEST_SUITE_P(Cases, AttemptDecisionTable, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace postern::delivery

namespace postern::delivery {
namespace {

TEST(AttemptDecision, NoRecipientLeftFailsAsSuppressedWithoutAProvider) {
  auto d = decide_all_suppressed();
  EXPECT_EQ(d.verdict, AttemptVerdict::failed);
  EXPECT_EQ(d.next_status, MessageStatus::failed);
  EXPECT_EQ(d.failure_class, kSuppressedClass);
  EXPECT_TRUE(d.counts_as_attempt);
  EXPECT_TRUE(d.settled_recipients.empty());
  EXPECT_NE(d.detail.find("suppression list"), std::string::npos);
}

}  // namespace
}  // namespace postern::delivery
