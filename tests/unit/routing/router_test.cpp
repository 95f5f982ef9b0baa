#include "routing/router.h"

#include <gtest/gtest.h>

#include <map>

#include "support/fake_clock.h"
#include "support/fake_provider.h"

namespace postern::routing {
namespace {

using providers::FailureClass;
using namespace std::chrono_literals;

struct RouterTest : ::testing::Test {
  RouterTest() {
    std::vector<std::unique_ptr<providers::Provider>> ps;
    ps.push_back(std::make_unique<test::FakeProvider>("a"));
    ps.push_back(std::make_unique<test::FakeProvider>("b"));
    router = std::make_unique<Router>(std::move(ps), clock, metrics);
  }
  providers::OutboundMessage message{MessageId(1), ContentFormat::json, "{}", {"a@x.org", {{"b@x.org", {}}}}, {},
                                     {}};
  test::FakeClock clock;
  MetricsRegistry metrics;
  std::unique_ptr<Router> router;
};

TEST_F(RouterTest, RoundRobinsOverProviders) {
  std::map<std::string, int> picks;
  for (int i = 0; i < 1000; ++i) picks[router->pick(message, {})->name()]++;
  EXPECT_EQ(picks["a"], 500);
  EXPECT_EQ(picks["b"], 500);
}

TEST_F(RouterTest, AvoidsTheLastProviderWhileAnotherIsAvailable) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(router->pick(message, {"a"})->name(), "b");
  EXPECT_TRUE(router->has_alternative({"a"}));
}

TEST_F(RouterTest, EjectsAProviderThatIsDownAndBringsItBack) {
  auto* a = router->pick(message, {});
  ASSERT_EQ(a->name(), "a");
  router->report(*a, {FailureClass::provider_down, "refused", "connection refused"});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(router->pick(message, {})->name(), "b");
  clock.advance(2100ms);
  std::map<std::string, int> picks;
  for (int i = 0; i < 10; ++i) picks[router->pick(message, {})->name()]++;
  EXPECT_GT(picks["a"], 0);
}

TEST_F(RouterTest, EjectionGrowsWhileTheProviderKeepsFailing) {
  auto* a = router->pick(message, {});
  router->report(*a, {FailureClass::provider_down, "refused", ""});
  clock.advance(2100ms);
  router->report(*a, {FailureClass::provider_down, "refused", ""});
  clock.advance(2100ms);  // the second ejection lasts 4 s
  for (int i = 0; i < 10; ++i) EXPECT_EQ(router->pick(message, {})->name(), "b");
  clock.advance(2000ms);
  bool back = false;
  for (int i = 0; i < 4; ++i) back |= router->pick(message, {})->name() == "a";
  EXPECT_TRUE(back);
}

TEST_F(RouterTest, WithEverythingAvoidedItStillPicks) {
  EXPECT_NE(router->pick(message, {"a", "b"}), nullptr);
}

}  // namespace
}  // namespace postern::routing
