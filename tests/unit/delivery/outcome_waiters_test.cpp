#include "delivery/outcome_waiters.h"

#include <gtest/gtest.h>

namespace postern::delivery {
namespace {

using Clock = std::chrono::steady_clock;

TEST(OutcomeWaiters, NotifyAnswersEveryWaiterOfThatMessageOnce) {
  OutcomeWaiters w;
  int answered = 0;
  std::optional<Outcome> got;
  for (int i = 0; i < 2; ++i) {
    w.wait(MessageId(1), Clock::now() + std::chrono::hours(1), [&](std::optional<Outcome> o) {
      ++answered;
      got = o;
    });
  }
  w.wait(MessageId(2), Clock::now() + std::chrono::hours(1),
         [&](std::optional<Outcome>) { FAIL(); });
  w.notify(MessageId(1), Outcome{MessageStatus::sent, "p", "pid", "ok", "250", ""});
  EXPECT_EQ(answered, 2);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->provider_message_id, "pid");
  w.notify(MessageId(1), Outcome{});
  EXPECT_EQ(answered, 2);
  EXPECT_EQ(w.size(), 1u);
}

TEST(OutcomeWaiters, ExpiryAnswersNothingKnown) {
  OutcomeWaiters w;
  auto now = Clock::now();
  int expired = 0;
  w.wait(MessageId(1), now + std::chrono::seconds(1),
         [&](std::optional<Outcome> o) { expired += !o; });
  w.wait(MessageId(2), now + std::chrono::seconds(5),
         [&](std::optional<Outcome> o) { expired += !o; });
  w.expire(now + std::chrono::seconds(2));
  EXPECT_EQ(expired, 1);
  w.expire_all();
  EXPECT_EQ(expired, 2);
  EXPECT_EQ(w.size(), 0u);
}

}  // namespace
}  // namespace postern::delivery
