// Each strategy's distribution over thousands of picks, directly and
// through the router (where health and limits filter the candidates).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "routing/strategy.h"
#include "routing_harness.h"

namespace postern::routing {
namespace {

using test::RouterHarness;

std::vector<int> counts(Strategy& s, const std::vector<Candidate>& candidates, int picks,
                        std::uint64_t seed = 7) {
  std::mt19937_64 random(seed);
  PickContext context{random};
  s.reset(candidates.size());
  std::vector<int> out(candidates.size());
  for (int i = 0; i < picks; ++i) ++out[s.pick(candidates, context)];
  return out;
}

std::vector<Candidate> three(std::vector<int> weights = {1, 1, 1},
                             std::vector<int> priorities = {1, 1, 1}) {
  std::vector<Candidate> c;
  for (std::size_t i = 0; i < weights.size(); ++i)
    c.push_back({i, weights[i], priorities[i], 0, 0});
  return c;
}

TEST(Strategies, EveryNameMakesItsStrategy) {
  for (auto name : strategy_names()) {
    auto s = make_strategy(name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->name(), name);
  }
  EXPECT_EQ(make_strategy("fastest"), nullptr);
  EXPECT_EQ(strategy_names().size(), 5u);
}

TEST(Strategies, RandomIsUniformWithinTolerance) {
  auto s = make_strategy("random");
  auto c = counts(*s, three(), 30000);
  for (int n : c) EXPECT_NEAR(n, 10000, 500);  // ~5 standard deviations
}

TEST(Strategies, RoundRobinIsExactAndInTurn) {
  auto s = make_strategy("round_robin");
  auto c = counts(*s, three(), 3000);
  EXPECT_EQ(c, (std::vector<int>{1000, 1000, 1000}));
  std::mt19937_64 random(1);
  PickContext context{random};
  s->reset(3);
  auto cand = three();
  std::vector<std::size_t> order;
  for (int i = 0; i < 6; ++i) order.push_back(s->pick(cand, context));
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2}));
}

TEST(Strategies, RoundRobinKeepsTheTurnWhenACandidateIsMissing) {
  auto s = make_strategy("round_robin");
  std::mt19937_64 random(1);
  PickContext context{random};
  s->reset(3);
  auto all = three();
  EXPECT_EQ(all[s->pick(all, context)].slot, 0u);
  // Slot 1 is busy for one pick: slot 2 is next, then back to 0 and 1.
  std::vector<Candidate> without_1 = {all[0], all[2]};
  EXPECT_EQ(without_1[s->pick(without_1, context)].slot, 2u);
  EXPECT_EQ(all[s->pick(all, context)].slot, 0u);
  EXPECT_EQ(all[s->pick(all, context)].slot, 1u);
}

TEST(Strategies, WeightedMatchesTheWeightsExactlyAndSmoothly) {
  auto s = make_strategy("weighted");
  auto c = counts(*s, three({5, 3, 2}), 10000);
  EXPECT_EQ(c, (std::vector<int>{5000, 3000, 2000}));
  // Smooth: with 5:1:1 the heavy one never runs five times in a row.
  std::mt19937_64 random(1);
  PickContext context{random};
  s->reset(3);
  auto cand = three({5, 1, 1});
  std::string seq;
  for (int i = 0; i < 7; ++i) seq += static_cast<char>('a' + s->pick(cand, context));
  EXPECT_EQ(seq, "aabacaa");
}

// A provider of weight 0 gets nothing while another has a weight, even when
// the others' scores are negative after picks among a different set (here
// slot 1 was picked in the middle of a cycle, before slot 2 went away).
TEST(Strategies, WeightedNeverPicksWeightZeroWhileAnotherHasWeight) {
  auto s = make_strategy("weighted");
  std::mt19937_64 random(1);
  PickContext context{random};
  s->reset(3);
  std::vector<Candidate> all = {{0, 0, 1, 0, 0}, {1, 1, 1, 0, 0}, {2, 9, 1, 0, 0}};
  for (int i = 0; i < 5; ++i) s->pick(all, context);
  std::vector<Candidate> without_heavy = {all[0], all[1]};
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s->pick(without_heavy, context), 1u) << "pick " << i;
  std::vector<Candidate> only_zero = {all[0]};
  EXPECT_EQ(s->pick(only_zero, context), 0u);
}

TEST(Strategies, PriorityUsesOnlyTheTopLevelAndSharesIt) {
  auto s = make_strategy("priority");
  auto c = counts(*s, three({1, 1, 1}, {2, 1, 1}), 3000);
  EXPECT_EQ(c, (std::vector<int>{0, 1500, 1500}));
  auto only_low = counts(*s, {{0, 1, 3, 0, 0}, {2, 1, 5, 0, 0}}, 100);
  EXPECT_EQ(only_low, (std::vector<int>{100, 0}));
}

TEST(Strategies, LeastLatencyPrefersTheFastOneWithoutStarvingTheOthers) {
  auto s = make_strategy("least_latency");
  std::vector<Candidate> c = {{0, 1, 1, 10'000, 0}, {1, 1, 1, 50'000, 0}, {2, 1, 1, 200'000, 0}};
  auto n = counts(*s, c, 30000);
  // Power of two choices: the fastest wins every pair it is in (2/3 of the
  // pairs), the middle one wins the other third, the slowest never wins.
  EXPECT_NEAR(n[0], 20000, 600);
  EXPECT_NEAR(n[1], 10000, 600);
  EXPECT_EQ(n[2], 0);
}

TEST(Strategies, LeastLatencyWeighsAttemptsInFlight) {
  auto s = make_strategy("least_latency");
  // Equal latency; one already has many attempts in flight.
  std::vector<Candidate> c = {{0, 1, 1, 10'000, 20}, {1, 1, 1, 10'000, 0}};
  auto n = counts(*s, c, 1000);
  EXPECT_EQ(n[0], 0);
  EXPECT_EQ(n[1], 1000);
}

// Through the router, over thousands of picks.

TEST(StrategiesThroughRouter, WeightedFollowsConfiguredWeights) {
  RouterOptions o;
  o.strategy = "weighted";
  RouterHarness h(o);
  h.add("a", "default", 6);
  h.add("b", "default", 3);
  h.add("c", "default", 1);
  auto d = h.distribution(10000);
  EXPECT_EQ(d["a"], 6000);
  EXPECT_EQ(d["b"], 3000);
  EXPECT_EQ(d["c"], 1000);
}

TEST(StrategiesThroughRouter, PrioritySticksToTheFirstHealthyAndFailsOverInOrder) {
  RouterOptions o;
  o.strategy = "priority";
  RouterHarness h(o);
  h.add("primary", "default", 1, 1);
  h.add("secondary", "default", 1, 2);
  h.add("tertiary", "default", 1, 3);
  EXPECT_EQ(h.distribution(5000)["primary"], 5000);
  h.router.set_admin("primary", AdminState::paused);
  EXPECT_EQ(h.distribution(5000)["secondary"], 5000);
  h.router.set_admin("secondary", AdminState::paused);
  EXPECT_EQ(h.distribution(100)["tertiary"], 100);
  h.router.set_admin("primary", AdminState::active);
  EXPECT_EQ(h.distribution(100)["primary"], 100);
}

TEST(StrategiesThroughRouter, RoundRobinAndRandomSpreadEvenly) {
  for (std::string name : {"round_robin", "random", "least_latency"}) {
    RouterOptions o;
    o.strategy = name;
    RouterHarness h(o);
    h.add("a");
    h.add("b");
    h.add("c");
    auto d = h.distribution(9000);
    // least_latency: equal latency (1 ms each) and nothing in flight: even.
    for (auto n : {"a", "b", "c"}) EXPECT_NEAR(d[n], 3000, 400) << name << " " << n;
  }
}

TEST(StrategiesThroughRouter, ChangingTheStrategyAtRunTimeTakesEffect) {
  RouterHarness h;
  h.add("a", "default", 3);
  h.add("b", "default", 1);
  EXPECT_EQ(h.distribution(1000)["a"], 500);
  auto o = h.router.options();
  o.strategy = "weighted";
  h.router.set_options(o);
  EXPECT_EQ(h.distribution(1000)["a"], 750);
}

}  // namespace
}  // namespace postern::routing
