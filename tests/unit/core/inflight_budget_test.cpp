// The budget for content in flight: charges within the limit, releases,
// forced charges, and charges that release themselves.
#include "core/inflight_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace postern {
namespace {

TEST(InflightBudget, ChargesUpToTheLimitAndNoFurther) {
  MetricsRegistry metrics;
  InflightBudget budget(100, metrics);
  EXPECT_TRUE(budget.try_charge(60));
  EXPECT_TRUE(budget.try_charge(40));
  EXPECT_FALSE(budget.has_room());
  EXPECT_FALSE(budget.try_charge(1));
  EXPECT_EQ(budget.used(), 100u);
  budget.release(50);
  EXPECT_TRUE(budget.has_room());
  EXPECT_EQ(budget.room(), 50u);
  EXPECT_FALSE(budget.try_charge(51));
  EXPECT_TRUE(budget.try_charge(50));
  EXPECT_NE(metrics.render().find("postern_inflight_bytes 100"), std::string::npos);
}

TEST(InflightBudget, AForcedChargeGoesPastTheLimitAndStopsNewCharges) {
  MetricsRegistry metrics;
  InflightBudget budget(100, metrics);
  budget.charge(150);
  EXPECT_EQ(budget.room(), 0u);
  EXPECT_FALSE(budget.try_charge(1));
  budget.release(150);
  EXPECT_TRUE(budget.try_charge(100));
}

TEST(InflightBudget, NoLimitTakesEverything) {
  MetricsRegistry metrics;
  InflightBudget budget(0, metrics);
  EXPECT_TRUE(budget.try_charge(1ull << 40));
  EXPECT_TRUE(budget.has_room());
}

TEST(InflightBudget, RefusalsAreCountedByProtocol) {
  MetricsRegistry metrics;
  InflightBudget budget(100, metrics);
  budget.count_refusal("smtp");
  budget.count_refusal("http");
  budget.count_refusal("http");
  auto text = metrics.render();
  EXPECT_NE(text.find("postern_inflight_refusals_total{protocol=\"smtp\"} 1"), std::string::npos);
  EXPECT_NE(text.find("postern_inflight_refusals_total{protocol=\"http\"} 2"), std::string::npos);
  EXPECT_NE(text.find("postern_inflight_limit_bytes 100"), std::string::npos);
}

TEST(InflightBudget, ConcurrentChargesNeverPassTheLimit) {
  MetricsRegistry metrics;
  InflightBudget budget(1000, metrics);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (budget.try_charge(3)) ++granted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 333);
  EXPECT_EQ(budget.used(), 999u);
}

TEST(InflightCharge, CoversGrowsAndReleasesWhenDestroyedOrMoved) {
  MetricsRegistry metrics;
  InflightBudget budget(100, metrics);
  {
    InflightCharge charge(&budget);
    EXPECT_TRUE(charge.try_cover(30));
    EXPECT_TRUE(charge.try_cover(20));  // already covered
    EXPECT_TRUE(charge.try_cover(70));
    EXPECT_EQ(budget.used(), 70u);
    EXPECT_FALSE(charge.try_cover(101));
    EXPECT_EQ(charge.bytes(), 70u);
    InflightCharge moved = std::move(charge);
    EXPECT_EQ(charge.bytes(), 0u);
    EXPECT_EQ(budget.used(), 70u);
    moved.force_grow(50);
    EXPECT_EQ(budget.used(), 120u);
    InflightCharge other(&budget);
    other = std::move(moved);
    EXPECT_EQ(budget.used(), 120u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(InflightCharge, ResizesToWhatIsHeldEitherWay) {
  MetricsRegistry metrics;
  InflightBudget budget(100, metrics);
  InflightCharge charge(&budget);
  ASSERT_TRUE(charge.try_cover(60));
  charge.resize(150);  // more than asked for, and than the limit: held already
  EXPECT_EQ(budget.used(), 150u);
  charge.resize(40);  // less: the rest goes back
  EXPECT_EQ(budget.used(), 40u);
  EXPECT_EQ(charge.bytes(), 40u);
  charge.reset();
  EXPECT_EQ(budget.used(), 0u);
}

TEST(InflightCharge, WithoutABudgetEveryChargeFits) {
  InflightCharge charge;
  EXPECT_TRUE(charge.try_cover(1ull << 40));
  charge.reset();
  EXPECT_EQ(charge.bytes(), 0u);
}

TEST(InflightBudget, TheDefaultIsAnEighthOfMemoryAndAtLeast128MiB) {
  EXPECT_GE(default_inflight_bytes(), 128ull << 20);
}

}  // namespace
}  // namespace postern
