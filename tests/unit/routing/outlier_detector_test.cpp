#include "routing/health/outlier_detector.h"

#include <gtest/gtest.h>

namespace postern::routing {
namespace {

using namespace std::chrono_literals;
using Kind = OutlierDetector::Change::Kind;

const SteadyTime t0 = SteadyTime(1000s);

struct OutlierTest : ::testing::Test {
  OutlierTest() {
    options.consecutive_failures = 3;
    options.consecutive_down = 2;
    options.min_requests = 10;
    options.base_ejection = 1000ms;
    options.max_ejection = 5000ms;
    options.trial_successes = 2;
    d.configure(options);
  }
  Kind feed(Verdict v, int n = 1, SteadyTime at = t0) {
    Kind last = Kind::none;
    for (int i = 0; i < n; ++i) last = d.record(v, at, options).kind;
    return last;
  }
  OutlierOptions options;
  OutlierDetector d;
};

TEST_F(OutlierTest, ConsecutiveFailures) {
  EXPECT_EQ(feed(Verdict::failure, 2), Kind::none);
  EXPECT_EQ(feed(Verdict::success), Kind::none);  // the run is broken
  EXPECT_EQ(feed(Verdict::failure, 2), Kind::none);
  EXPECT_EQ(feed(Verdict::failure), Kind::eject);
}

TEST_F(OutlierTest, ConsecutiveDownHasItsOwnThreshold) {
  EXPECT_EQ(feed(Verdict::down), Kind::none);
  auto c = d.record(Verdict::down, t0, options);
  EXPECT_EQ(c.kind, Kind::eject);
  EXPECT_EQ(c.reason, "2 provider_down answers in a row");
}

TEST_F(OutlierTest, ErrorRateNeedsVolumeAndLooksOnlyAtTheWindow) {
  options.consecutive_failures = 0;
  options.error_rate = 0.3;
  // Old failures fall out of the window: had they counted, 4 of 11 would
  // already be too many.
  for (int i = 0; i < 3; ++i) d.record(Verdict::failure, t0, options);
  for (int i = 0; i < 7; ++i) d.record(Verdict::success, t0 + 11s, options);
  EXPECT_EQ(d.record(Verdict::failure, t0 + 11s, options).kind, Kind::none);  // 8 answers: too few
  EXPECT_EQ(d.record(Verdict::failure, t0 + 11s, options).kind, Kind::none);
  auto c = d.record(Verdict::failure, t0 + 11s, options);  // 3 of 10
  EXPECT_EQ(c.kind, Kind::eject);
  EXPECT_EQ(c.reason, "error rate 30% over 10 answers");
}

TEST_F(OutlierTest, ThrottlingIsPressureNotFailure) {
  options.throttle_rate = 0.6;
  EXPECT_EQ(feed(Verdict::throttled, 5), Kind::none);  // no consecutive-failure ejection
  for (int i = 0; i < 4; ++i) d.record(Verdict::success, t0, options);
  EXPECT_EQ(feed(Verdict::throttled), Kind::eject);  // 6 of 10
}

TEST_F(OutlierTest, EjectionGrowsThenHalfOpenTrialRecovers) {
  feed(Verdict::failure, 3);
  d.eject("3 failures in a row", t0, options);
  EXPECT_EQ(d.phase(), OutlierPhase::ejected);
  EXPECT_EQ(d.ejected_until(), t0 + 1000ms);
  EXPECT_EQ(feed(Verdict::failure, 10), Kind::none);  // late answers do not count
  EXPECT_FALSE(d.advance(t0 + 999ms));
  EXPECT_TRUE(d.advance(t0 + 1000ms));
  EXPECT_EQ(d.phase(), OutlierPhase::half_open);
  // A failed trial: ejected for twice as long.
  EXPECT_EQ(feed(Verdict::failure), Kind::eject);
  d.eject("the half-open trial failed", t0 + 1s, options);
  EXPECT_EQ(d.ejected_until(), t0 + 1s + 2000ms);
  d.advance(t0 + 3s);
  d.eject("again", t0 + 3s, options);
  EXPECT_EQ(d.ejected_until(), t0 + 3s + 4000ms);
  d.advance(t0 + 7s);
  d.eject("again", t0 + 7s, options);
  EXPECT_EQ(d.ejected_until(), t0 + 7s + 5000ms);  // capped
  d.advance(t0 + 12s);
  EXPECT_EQ(feed(Verdict::throttled), Kind::none);  // a 429 neither passes nor fails the trial
  EXPECT_EQ(feed(Verdict::success), Kind::none);
  EXPECT_EQ(feed(Verdict::success), Kind::recovered);
  EXPECT_EQ(d.phase(), OutlierPhase::ok);
  EXPECT_EQ(d.ejections(), 4u);
  // After a whole max_ejection of good health the back-off starts over.
  d.eject("fresh", t0 + 12s + 5001ms, options);
  EXPECT_EQ(d.ejected_until(), t0 + 12s + 5001ms + 1000ms);
}

TEST_F(OutlierTest, ATrialAnsweredOnlyWith429sFails) {
  d.eject("429 pressure", t0, options);
  d.advance(t0 + 1s);
  EXPECT_EQ(feed(Verdict::throttled), Kind::none);
  EXPECT_EQ(feed(Verdict::success), Kind::none);  // breaks the run of 429s
  EXPECT_EQ(feed(Verdict::throttled), Kind::none);
  EXPECT_EQ(feed(Verdict::throttled), Kind::eject);  // as many in a row as the successes it needs
}

TEST_F(OutlierTest, KeepStartsCountingAfresh) {
  EXPECT_EQ(feed(Verdict::failure, 3), Kind::eject);
  d.keep();
  EXPECT_EQ(d.phase(), OutlierPhase::ok);
  EXPECT_EQ(feed(Verdict::failure, 2), Kind::none);
  EXPECT_EQ(feed(Verdict::failure), Kind::eject);
}

TEST_F(OutlierTest, ProbesCanEndAnEjectionEarly) {
  d.eject("down", t0, options);
  d.start_trial();
  EXPECT_EQ(d.phase(), OutlierPhase::half_open);
}

TEST(SlidingWindow, CountsOnlyTheSpan) {
  SlidingWindow w(10s);
  w.add(Tally::success, t0);
  w.add(Tally::failure, t0 + 5s);
  auto c = w.sum(t0 + 5s);
  EXPECT_EQ(count(c, Tally::success), 1u);
  EXPECT_EQ(count(c, Tally::failure), 1u);
  c = w.sum(t0 + 10s);
  EXPECT_EQ(count(c, Tally::success), 0u);
  EXPECT_EQ(count(c, Tally::failure), 1u);
  c = w.sum(t0 + 1h);
  EXPECT_EQ(count(c, Tally::failure), 0u);
  w.add(Tally::picked, t0 + 1h);  // a reused bucket starts from zero
  EXPECT_EQ(count(w.sum(t0 + 1h), Tally::picked), 1u);
}

}  // namespace
}  // namespace postern::routing
