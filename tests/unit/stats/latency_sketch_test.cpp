#include "stats/latency_sketch.h"

#include <gtest/gtest.h>

#include <random>

namespace postern::stats {
namespace {

using std::chrono::microseconds;

TEST(LatencySketch, EmptyHasNoQuantile) {
  LatencySketch s;
  EXPECT_EQ(s.count(), 0u);
  EXPECT_FALSE(s.quantile_ms(0.5));
}

TEST(LatencySketch, BinsGrowByAQuarterAndCoverEveryLatency) {
  EXPECT_EQ(LatencySketch::bin_of(microseconds(0)), 0u);
  EXPECT_EQ(LatencySketch::bin_of(microseconds(99)), 0u);
  EXPECT_EQ(LatencySketch::bin_of(microseconds(100)), 1u);
  EXPECT_EQ(LatencySketch::bin_of(microseconds(124)), 1u);
  EXPECT_EQ(LatencySketch::bin_of(microseconds(126)), 2u);
  EXPECT_EQ(LatencySketch::bin_of(std::chrono::hours(1)), LatencySketch::kBins - 1);
  for (std::size_t b = 1; b + 1 < LatencySketch::kBins; ++b) {
    EXPECT_DOUBLE_EQ(LatencySketch::upper_us(b), LatencySketch::lower_us(b + 1));
    EXPECT_NEAR(LatencySketch::upper_us(b) / LatencySketch::lower_us(b), 1.25, 1e-9);
  }
}

// The answers are within a bin (25%) of the exact quantile of what was
// added, for a spread of latencies from a millisecond to a few seconds.
TEST(LatencySketch, QuantilesAreWithinABinOfTheExactOnes) {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> latency_ms(3.5, 1.0);  // median ~33 ms
  std::vector<double> exact;
  LatencySketch s;
  for (int i = 0; i < 20000; ++i) {
    double ms = latency_ms(rng);
    exact.push_back(ms);
    s.add(microseconds(static_cast<long>(ms * 1000)));
  }
  std::sort(exact.begin(), exact.end());
  for (double q : {0.5, 0.9, 0.95, 0.99}) {
    double want = exact[static_cast<std::size_t>(q * exact.size()) - 1];
    auto got = s.quantile_ms(q);
    ASSERT_TRUE(got);
    EXPECT_NEAR(*got / want, 1.0, 0.25) << "q=" << q << " want " << want << " got " << *got;
  }
}

TEST(LatencySketch, MergedSketchesAnswerAsOne) {
  LatencySketch fast, slow, both;
  for (int i = 0; i < 90; ++i) fast.add(microseconds(10'000));
  for (int i = 0; i < 10; ++i) slow.add(microseconds(1'000'000));
  both.merge(fast);
  both.merge(slow);
  EXPECT_EQ(both.count(), 100u);
  EXPECT_NEAR(*both.quantile_ms(0.5), 10.0, 1.5);
  EXPECT_NEAR(*both.quantile_ms(0.95), 1000.0, 150.0);
  EXPECT_NEAR(*both.quantile_ms(0.9), 10.0, 1.5);  // the 90th of 100 is still fast
}

}  // namespace
}  // namespace postern::stats
