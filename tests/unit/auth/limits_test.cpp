// The abuse limits' sans-io parts with an injected clock: the per-caller
// rate table (rate, burst, concurrency, bounded size), the failed-login
// delays (doubling, cap, reset by success and by time), and the facade's
// refusals (Retry-After, metrics).
#include <gtest/gtest.h>

#include "auth/abuse_limits.h"
#include "auth/failure_delays.h"
#include "auth/rate_table.h"
#include "support/fake_clock.h"

namespace postern::auth {
namespace {

using namespace std::chrono_literals;
using Refusal = RateTable::Refusal;

SteadyTime t0() { return SteadyTime(std::chrono::hours(1000)); }

TEST(RateTable, BurstThenRefusesWithTheTimeToTheNextToken) {
  RateTable table({.per_second = 2, .burst = 3, .concurrent = 0}, 100);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(table.acquire("k", t0(), false).ok());
  auto refused = table.acquire("k", t0(), false);
  EXPECT_EQ(refused.refusal, Refusal::rate);
  EXPECT_EQ(refused.retry_after, 500ms);
  // Another caller has its own bucket.
  EXPECT_TRUE(table.acquire("other", t0(), false).ok());
  // Half a second later one token is back, and only one.
  EXPECT_TRUE(table.acquire("k", t0() + 500ms, false).ok());
  EXPECT_FALSE(table.acquire("k", t0() + 500ms, false).ok());
}

TEST(RateTable, ConcurrencyIsHeldUntilReleased) {
  RateTable table({.per_second = 0, .burst = 1, .concurrent = 2}, 100);
  auto a = table.acquire("k", t0(), true);
  auto b = table.acquire("k", t0(), true);
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = table.acquire("k", t0(), true);
  EXPECT_EQ(c.refusal, Refusal::concurrency);
  EXPECT_EQ(c.retry_after, 1s);
  table.release(a.held);
  EXPECT_TRUE(table.acquire("k", t0(), true).ok());
}

TEST(RateTable, DisabledLimitsAdmitEverything) {
  RateTable table({.per_second = 0, .burst = 1, .concurrent = 0}, 1);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(table.acquire(std::to_string(i), t0(), true).ok());
  EXPECT_EQ(table.size(), 0u);
}

TEST(RateTable, AFloodOfDistinctCallersStaysWithinTheCap) {
  RateTable table({.per_second = 1, .burst = 2, .concurrent = 0}, 50);
  auto now = t0();
  for (int i = 0; i < 100000; ++i) {
    now += 1ms;
    (void)table.acquire("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), now,
                        false);
    ASSERT_LE(table.size(), 51u);  // the cap and the shared overflow entry
  }
}

TEST(RateTable, IdleCallersAreDroppedToMakeRoom) {
  RateTable table({.per_second = 10, .burst = 1, .concurrent = 0}, 2);
  EXPECT_TRUE(table.acquire("a", t0(), false).ok());
  EXPECT_TRUE(table.acquire("b", t0(), false).ok());
  // Full, nothing idle: a newcomer shares the overflow entry.
  auto c = table.acquire("c", t0(), false);
  EXPECT_TRUE(c.ok());
  EXPECT_FALSE(table.acquire("d", t0(), false).ok());  // the overflow's token is spent
  // Two seconds on, a and b have full buckets again: they make room.
  EXPECT_TRUE(table.acquire("e", t0() + 2s, false).ok());
  EXPECT_LE(table.size(), 2u);
}

TEST(FailureDelays, DoubleAfterTheFreeFailuresUpToTheCap) {
  FailureDelays d({.free = 2, .first = 1000ms, .max = 5000ms, .reset = 60s}, 100);
  EXPECT_EQ(d.failed("a", t0()), 0ms);
  EXPECT_EQ(d.failed("a", t0()), 0ms);
  EXPECT_FALSE(d.blocked("a", t0()));
  EXPECT_EQ(d.failed("a", t0()), 1000ms);
  EXPECT_EQ(d.blocked("a", t0() + 400ms), 600ms);
  EXPECT_FALSE(d.blocked("a", t0() + 1000ms));
  EXPECT_EQ(d.failed("a", t0() + 1s), 2000ms);
  EXPECT_EQ(d.failed("a", t0() + 3s), 4000ms);
  EXPECT_EQ(d.failed("a", t0() + 7s), 5000ms);  // the cap
  EXPECT_EQ(d.failed("a", t0() + 12s), 5000ms);
  EXPECT_FALSE(d.blocked("b", t0() + 12s));  // per address
}

TEST(FailureDelays, SuccessAndTimeForget) {
  FailureDelays d({.free = 0, .first = 1000ms, .max = 8000ms, .reset = 60s}, 100);
  EXPECT_EQ(d.failed("a", t0()), 1000ms);
  EXPECT_EQ(d.failed("a", t0() + 1s), 2000ms);
  d.succeeded("a");
  EXPECT_FALSE(d.blocked("a", t0() + 1s));
  EXPECT_EQ(d.failed("a", t0() + 2s), 1000ms);
  // A minute without a failure: a fresh start.
  EXPECT_EQ(d.failed("a", t0() + 3s), 2000ms);
  EXPECT_EQ(d.failed("a", t0() + 63s), 1000ms);
}

TEST(FailureDelays, BoundedUnderAFloodOfAddresses) {
  FailureDelays d({.free = 0, .first = 1000ms, .max = 8000ms, .reset = 60s}, 10);
  for (int i = 0; i < 10000; ++i) d.failed("x" + std::to_string(i), t0());
  EXPECT_LE(d.size(), 11u);
}

class AbuseLimitsTest : public ::testing::Test {
 protected:
  LimitsOptions options() {
    LimitsOptions o;
    o.per_key = {.per_second = 1, .burst = 2, .concurrent = 1};
    o.per_address = {.per_second = 1, .burst = 1, .concurrent = 0};
    o.smtp_messages_per_minute = 60;
    o.smtp_burst = 2;
    o.auth_failures = {.free = 1, .first = 2000ms, .max = 8000ms, .reset = 60s};
    o.exempt_loopback = true;
    return o;
  }
  test::FakeClock clock_;
  MetricsRegistry metrics_;
};

TEST_F(AbuseLimitsTest, KeysAndAddressesHaveTheirOwnBuckets) {
  AbuseLimits limits(options(), clock_, metrics_);
  {
    auto first = limits.admit_request("app", "10.0.0.1");
    ASSERT_TRUE(std::holds_alternative<std::shared_ptr<AbuseLimits::Permit>>(first));
    // One in flight for the key: a second waits for the first's answer.
    auto second = limits.admit_request("app", "10.0.0.1");
    ASSERT_TRUE(std::holds_alternative<AbuseLimits::Refused>(second));
    EXPECT_EQ(std::get<AbuseLimits::Refused>(second).limit, "key_concurrency");
    // The address's bucket is not the key's.
    EXPECT_TRUE(std::holds_alternative<std::shared_ptr<AbuseLimits::Permit>>(
        limits.admit_request("", "10.0.0.1")));
    auto anonymous = limits.admit_request("", "10.0.0.1");
    ASSERT_TRUE(std::holds_alternative<AbuseLimits::Refused>(anonymous));
    EXPECT_EQ(std::get<AbuseLimits::Refused>(anonymous).limit, "address_rate");
    EXPECT_EQ(std::get<AbuseLimits::Refused>(anonymous).retry_after, 1s);
  }
  // The permit went: the key's second token is there.
  EXPECT_TRUE(std::holds_alternative<std::shared_ptr<AbuseLimits::Permit>>(
      limits.admit_request("app", "10.0.0.1")));
  EXPECT_NE(metrics_.render().find("postern_limits_refused_total{limit=\"key_concurrency\"} 1"),
            std::string::npos);
}

TEST_F(AbuseLimitsTest, SmtpMessagesPerMinute) {
  AbuseLimits limits(options(), clock_, metrics_);
  EXPECT_FALSE(limits.admit_message("mailer"));
  EXPECT_FALSE(limits.admit_message("mailer"));
  auto refused = limits.admit_message("mailer");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->retry_after, 1s);  // 60 a minute: one a second
  clock_.advance(1s);
  EXPECT_FALSE(limits.admit_message("mailer"));
}

TEST_F(AbuseLimitsTest, FailedLoginsDelayTheAddressAndAreCounted) {
  AbuseLimits limits(options(), clock_, metrics_);
  limits.login_failed(LoginProtocol::smtp, "10.0.0.9", "alice");
  EXPECT_FALSE(limits.login_blocked(LoginProtocol::smtp, "10.0.0.9"));
  limits.login_failed(LoginProtocol::smtp, "10.0.0.9", "alice");
  auto blocked = limits.login_blocked(LoginProtocol::smtp, "10.0.0.9");
  ASSERT_TRUE(blocked);
  EXPECT_EQ(blocked->retry_after, 2s);
  clock_.advance(2s);
  EXPECT_FALSE(limits.login_blocked(LoginProtocol::smtp, "10.0.0.9"));
  limits.login_succeeded("10.0.0.9");
  limits.login_failed(LoginProtocol::smtp, "10.0.0.9", "alice");
  EXPECT_FALSE(limits.login_blocked(LoginProtocol::smtp, "10.0.0.9"));
  auto text = metrics_.render();
  EXPECT_NE(text.find("postern_auth_failures_total{protocol=\"smtp\"} 3"), std::string::npos);
  EXPECT_NE(text.find("postern_auth_delayed_total{protocol=\"smtp\"} 1"), std::string::npos);
}

TEST_F(AbuseLimitsTest, LoopbackIsExemptFromPerAddressLimitsOnly) {
  AbuseLimits limits(options(), clock_, metrics_);
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(std::holds_alternative<std::shared_ptr<AbuseLimits::Permit>>(
        limits.admit_request("", "127.0.0.1")));
    limits.login_failed(LoginProtocol::http, "::1", "");
  }
  EXPECT_FALSE(limits.login_blocked(LoginProtocol::http, "::1"));
  // A key is limited wherever it comes from (one in flight here).
  auto held = limits.admit_request("app", "127.0.0.1");
  EXPECT_TRUE(std::holds_alternative<std::shared_ptr<AbuseLimits::Permit>>(held));
  EXPECT_TRUE(
      std::holds_alternative<AbuseLimits::Refused>(limits.admit_request("app", "127.0.0.1")));
}

}  // namespace
}  // namespace postern::auth
