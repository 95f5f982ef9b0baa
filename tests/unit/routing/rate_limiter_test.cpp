#include <gtest/gtest.h>

#include "core/token_bucket.h"
#include "routing/concurrency_window.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0 = SteadyTime(1000s);

TEST(TokenBucket, UnlimitedAlwaysReady) {
  TokenBucket b;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(b.ready(t0));
    b.take(t0);
  }
  EXPECT_EQ(b.ready_at(t0), t0);
}

TEST(TokenBucket, BurstThenRate) {
  TokenBucket b;
  b.configure(100, 5, t0);  // 100/s, burst 5
  int taken = 0;
  while (b.ready(t0)) {
    b.take(t0);
    ++taken;
  }
  EXPECT_EQ(taken, 5);
  EXPECT_EQ(b.ready_at(t0), t0 + 10ms);
  EXPECT_FALSE(b.ready(t0 + 9ms));
  EXPECT_TRUE(b.ready(t0 + 10ms));
  // Over one second at the rate: 100 more, never more than the burst at once.
  int later = 0;
  for (auto t = t0 + 10ms; t <= t0 + 1000ms; t += 1ms) {
    while (b.ready(t)) {
      b.take(t);
      ++later;
    }
  }
  EXPECT_NEAR(later, 100, 1);
  EXPECT_DOUBLE_EQ(b.tokens(t0 + 1h), 5);
}

TEST(TokenBucket, RetryAfterPausesAndNeverShortens) {
  TokenBucket b;
  b.configure(0, 1, t0);
  b.pause_until(t0 + 3s);
  b.pause_until(t0 + 1s);
  EXPECT_FALSE(b.ready(t0 + 2s));
  EXPECT_EQ(b.ready_at(t0), t0 + 3s);
  EXPECT_TRUE(b.ready(t0 + 3s));
}

TEST(TokenBucket, ReconfiguringKeepsTheFillCapped) {
  TokenBucket b;
  b.configure(10, 10, t0);
  for (int i = 0; i < 8; ++i) b.take(t0);
  b.configure(10, 20, t0);  // a reload grants no new burst
  EXPECT_DOUBLE_EQ(b.tokens(t0), 2);
  b.configure(0, 1, t0);
  EXPECT_TRUE(b.ready(t0));
}

TEST(ConcurrencyWindow, CapsAttemptsInFlight) {
  ConcurrencyWindow w;
  w.configure(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(w.has_room());
    w.acquire();
  }
  EXPECT_FALSE(w.has_room());
  w.release(true);
  EXPECT_TRUE(w.has_room());
}

TEST(ConcurrencyWindow, ShrinksOnFailuresAndOpensAgainSlowly) {
  ConcurrencyWindow w;
  w.configure(4);
  for (int i = 0; i < 8; ++i) {
    w.acquire();
    w.release(false);
  }
  EXPECT_EQ(w.limit(), 1u);  // never below one
  int successes = 0;
  while (w.limit() < 4) {
    w.acquire();
    w.release(true);
    ++successes;
  }
  // About one slot per window's worth of successes: 1 + 2 + 3.
  EXPECT_GE(successes, 5);
  EXPECT_LE(successes, 7);
}

TEST(ConcurrencyWindow, UnlimitedCountsButNeverRefuses) {
  ConcurrencyWindow w;
  for (int i = 0; i < 100; ++i) w.acquire();
  EXPECT_TRUE(w.has_room());
  EXPECT_EQ(w.in_flight(), 100u);
  EXPECT_EQ(w.limit(), 0u);
}

}  // namespace
}  // namespace postern::routing
