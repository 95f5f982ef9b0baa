#include "delivery/retry_policy.h"

#include <gtest/gtest.h>

namespace postern::delivery {
namespace {

using providers::FailureClass;
using namespace std::chrono_literals;

const SystemTime kStart = from_unix_ms(1'700'000'000'000);

TEST(RetryPolicy, PermanentFailsAtOnce) {
  RetryPolicy p({}, 1);
  auto d = p.after_failure(FailureClass::permanent, 1, kStart, kStart, std::nullopt, true);
  EXPECT_TRUE(d.give_up);
}

TEST(RetryPolicy, FailsOverAtOnceWhileAnotherProviderIsAvailable) {
  RetryPolicy p({}, 1);
  auto d = p.after_failure(FailureClass::provider_down, 1, kStart, kStart + 1s, std::nullopt, true);
  EXPECT_FALSE(d.give_up);
  EXPECT_EQ(d.next_attempt_at, kStart + 1s);
}

TEST(RetryPolicy, BacksOffExponentiallyWithJitterOnTheSameProvider) {
  RetryPolicy p({1000ms, 3600s, 24h, 0.2}, 7);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    auto d = p.after_failure(FailureClass::transient, attempt, kStart, kStart, std::nullopt, false);
    auto delay = d.next_attempt_at - kStart;
    double base = 1000.0 * (1 << (attempt - 1));
    EXPECT_GE(delay, std::chrono::milliseconds(static_cast<long>(base * 0.8))) << attempt;
    EXPECT_LE(delay, std::chrono::milliseconds(static_cast<long>(base * 1.2) + 1)) << attempt;
  }
  auto capped = p.after_failure(FailureClass::transient, 30, kStart, kStart, std::nullopt, false);
  EXPECT_LE(capped.next_attempt_at - kStart,
            std::chrono::milliseconds(static_cast<long>(3600'000 * 1.2)));
}

TEST(RetryPolicy, HonoursTheProvidersRetryAfter) {
  RetryPolicy p({}, 1);
  auto d = p.after_failure(FailureClass::transient, 1, kStart, kStart, 30s, false);
  EXPECT_GE(d.next_attempt_at - kStart, 30s);
}

TEST(RetryPolicy, GivesUpAfterTheMaximumAgeWithTheReason) {
  RetryPolicy p({1000ms, 3600s, 1h, 0.2}, 1);
  auto d = p.after_failure(FailureClass::transient, 5, kStart, kStart + 1h, std::nullopt, true);
  EXPECT_TRUE(d.give_up);
  EXPECT_NE(d.reason.find("maximum age"), std::string::npos);
  auto late =
      p.after_failure(FailureClass::transient, 12, kStart, kStart + 59min, std::nullopt, false);
  EXPECT_FALSE(late.give_up);
  EXPECT_LE(late.next_attempt_at, kStart + 1h);  // one last try at the end of the window
}

TEST(RetryPolicy, BacksOffWhenFailingEverywhere) {
  RetryPolicy p({1000ms, 3600s, 24h, 0.2}, 1);
  auto d = p.after_failure(FailureClass::provider_down, 6, kStart, kStart, std::nullopt, true);
  EXPECT_GE(d.next_attempt_at - kStart, 3200ms);
}

}  // namespace
}  // namespace postern::delivery
