#include "stats/traffic_stats.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace postern::stats {
namespace {

using namespace std::chrono_literals;

AttemptSeen attempt(std::string provider, bool ok, std::chrono::milliseconds latency = 20ms,
                    MessageStatus status = MessageStatus::sent) {
  return {std::move(provider), ok, latency, status};
}

// A clock on a bucket boundary, so that the tests say which bucket is which.
test::FakeClock aligned_clock() { return test::FakeClock(from_unix_ms(1'700'000'000'000)); }

TEST(BucketRing, AlignsBucketsAndReusesSlotsOldestFirst) {
  BucketRing ring(10s, 3);
  auto t0 = from_unix_ms(1'700'000'000'000);
  ASSERT_NE(ring.at(t0 + 4s), nullptr);
  EXPECT_EQ(ring.at(t0 + 4s)->start, t0);
  ring.at(t0 + 4s)->accepted = 1;
  ring.at(t0 + 15s)->accepted = 2;
  ring.at(t0 + 25s)->accepted = 3;
  // The fourth bucket takes the first one's slot: it starts empty.
  auto* fourth = ring.at(t0 + 31s);
  ASSERT_NE(fourth, nullptr);
  EXPECT_EQ(fourth->accepted, 0u);
  EXPECT_EQ(fourth->start, t0 + 30s);
  // A time whose slot a newer bucket took is out of the window.
  EXPECT_EQ(ring.at(t0 + 1s), nullptr);
  auto kept = ring.between(t0, t0 + 40s);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].accepted, 2u);
  EXPECT_EQ(kept[1].accepted, 3u);
  EXPECT_EQ(kept[2].start, t0 + 30s);
}

TEST(TrafficStats, CountsIntakeOutcomesAndProvidersPerBucket) {
  auto clock = aligned_clock();
  TrafficStats stats(clock);
  stats.record_intake(3);
  stats.record_attempt(attempt("a", true));
  stats.record_attempt(attempt("a", false, 20ms, MessageStatus::deferred));
  stats.record_attempt(attempt("b", true, 40ms));
  clock.advance(10s);
  stats.record_attempt(attempt("b", false, 40ms, MessageStatus::failed));

  auto h = stats.history();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].accepted, 3u);
  EXPECT_EQ(h[0].sent, 2u);
  EXPECT_EQ(h[0].deferred, 1u);
  EXPECT_EQ(h[0].attempts(), 3u);
  EXPECT_EQ(h[0].providers.at("a").attempts, 2u);
  EXPECT_EQ(h[0].providers.at("a").ok, 1u);
  EXPECT_NEAR(*h[0].providers.at("b").latency.quantile_ms(0.5), 40.0, 5.0);
  EXPECT_EQ(h[1].failed, 1u);
  EXPECT_EQ(stats.current().start, h[1].start);
}

TEST(TrafficStats, KeepsTheLastHourOnly) {
  auto clock = aligned_clock();
  TrafficStats stats(clock);
  stats.record_intake();
  clock.advance(30min);
  stats.record_intake(2);
  EXPECT_EQ(stats.history().size(), 2u);
  clock.advance(30min);
  auto h = stats.history();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].accepted, 2u);
  // Nothing in the current bucket: an empty one, with its start.
  EXPECT_EQ(stats.current().accepted, 0u);
  EXPECT_EQ(stats.current().start, clock.now());
}

TEST(TrafficStats, RatesAreTheLastCompleteSecond) {
  auto clock = aligned_clock();
  TrafficStats stats(clock);
  stats.record_intake(5);
  for (int i = 0; i < 4; ++i) stats.record_attempt(attempt("a", true));
  // Still the same second: no complete second yet.
  EXPECT_EQ(stats.rates().accepted, 0.0);
  clock.advance(1s);
  stats.record_intake(1);  // the new second's, not counted yet
  auto r = stats.rates();
  EXPECT_EQ(r.accepted, 5.0);
  EXPECT_EQ(r.sent, 4.0);
  EXPECT_EQ(r.attempts, 4.0);
  clock.advance(1s);
  EXPECT_EQ(stats.rates().accepted, 1.0);
  clock.advance(5s);
  EXPECT_EQ(stats.rates().accepted, 0.0);  // quiet: zero, not the last busy second
}

}  // namespace
}  // namespace postern::stats
