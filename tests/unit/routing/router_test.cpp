// The router on a fake clock: elsewhere first, passive ejection and its
// back-off, the half-open trial, the last healthy provider, limits that
// make a pick wait, routes to pools, operator states and removal.
#include "routing/router.h"

#include <gtest/gtest.h>

#include "routing_harness.h"

namespace postern::routing {
namespace {

using providers::FailureClass;
using test::answer;
using test::RouterHarness;
using namespace std::chrono_literals;

RouterOptions quick_outlier() {
  RouterOptions o;
  o.outlier.base_ejection = 2000ms;
  o.outlier.max_ejection = 30000ms;
  o.outlier.trial_successes = 2;
  return o;
}

TEST(Router, RoundRobinsOverProviders) {
  RouterHarness h;
  h.add("a");
  h.add("b");
  auto d = h.distribution(1000);
  EXPECT_EQ(d["a"], 500);
  EXPECT_EQ(d["b"], 500);
}

TEST(Router, AvoidsTheLastProviderWhileAnotherCanTakeIt) {
  RouterHarness h;
  h.add("a");
  h.add("b");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.send(FailureClass::ok, {"a"}), "b");
  EXPECT_TRUE(h.router.has_alternative(h.message, std::vector<std::string>{"a"}));
  EXPECT_FALSE(h.router.has_alternative(h.message, std::vector<std::string>{"a", "b"}));
  // Everything avoided: still picks.
  EXPECT_NE(h.send(FailureClass::ok, {"a", "b"}), "");
}

TEST(Router, WithNoProviderThePickIsUnavailable) {
  RouterHarness h;
  EXPECT_EQ(h.router.pick(h.message, {}).status, PickStatus::unavailable);
}

TEST(Router, ProviderDownIsEjectedAtOnceThenComesBackThroughAHalfOpenTrial) {
  RouterHarness h(quick_outlier());
  h.add("a");
  h.add("b");
  ASSERT_EQ(h.send(FailureClass::provider_down), "a");
  EXPECT_EQ(h.state("a"), ProviderState::ejected);
  EXPECT_EQ(h.router.provider("a")->check, Check::outlier);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(h.send(), "b");
  h.clock.advance(2001ms);
  // Half-open: one trial at a time; while it is out, the others get the rest.
  auto trial = h.router.pick(h.message, std::vector<std::string>{"b"});
  ASSERT_EQ(trial.status, PickStatus::picked);
  EXPECT_EQ(trial.slot->name(), "a");
  EXPECT_EQ(h.state("a"), ProviderState::half_open);
  for (int i = 0; i < 10; ++i) {
    auto p = h.router.pick(h.message, {});
    ASSERT_EQ(p.slot->name(), "b");
    h.router.report(*p.slot, answer(FailureClass::ok));
  }
  h.router.report(*trial.slot, answer(FailureClass::ok));
  EXPECT_EQ(h.state("a"), ProviderState::half_open);  // needs 2 successes
  ASSERT_EQ(h.send(FailureClass::ok, {"b"}), "a");
  EXPECT_EQ(h.state("a"), ProviderState::healthy);
  auto d = h.distribution(100);
  EXPECT_EQ(d["a"], 50);
}

TEST(Router, EjectionGrowsWithEachEjectionInARowAndIsCapped) {
  auto o = quick_outlier();
  o.outlier.max_ejection = 8000ms;
  RouterHarness h(o);
  h.add("a");
  h.add("b");
  ASSERT_EQ(h.send(FailureClass::provider_down), "a");  // 2 s
  std::vector<std::chrono::milliseconds> pauses;
  for (int round = 0; round < 4; ++round) {
    auto until = h.router.provider("a")->ejected_until;
    ASSERT_TRUE(until);
    pauses.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(*until - h.clock.now()));
    h.clock.advance(pauses.back() + 1ms);
    // The trial fails: ejected again, for twice as long.
    ASSERT_EQ(h.send(FailureClass::provider_down, {"b"}), "a");
    EXPECT_EQ(h.state("a"), ProviderState::ejected);
  }
  EXPECT_EQ(pauses, (std::vector<std::chrono::milliseconds>{2000ms, 4000ms, 8000ms, 8000ms}));
  EXPECT_EQ(h.router.provider("a")->ejections, 5u);
}

TEST(Router, ConsecutiveTransientFailuresEject) {
  RouterHarness h(quick_outlier());
  h.add("a");
  h.add("b");
  for (int i = 0; i < 4; ++i) ASSERT_EQ(h.send(FailureClass::transient, {"b"}), "a");
  EXPECT_EQ(h.state("a"), ProviderState::healthy);
  ASSERT_EQ(h.send(FailureClass::transient, {"b"}), "a");
  EXPECT_EQ(h.state("a"), ProviderState::ejected);
  EXPECT_NE(h.router.provider("a")->reason.find("5 failures in a row"), std::string::npos);
}

TEST(Router, PermanentAnswersAreAboutTheMessageNotTheProvider) {
  RouterHarness h(quick_outlier());
  h.add("a");
  h.add("b");
  for (int i = 0; i < 50; ++i) h.send(FailureClass::permanent);
  EXPECT_EQ(h.state("a"), ProviderState::healthy);
  EXPECT_EQ(h.state("b"), ProviderState::healthy);
}

TEST(Router, TheLastHealthyProviderOfAPoolIsNotEjectedAndItIsSaidLoudly) {
  RouterHarness h(quick_outlier());
  h.add("a");
  h.add("b");
  ASSERT_EQ(h.send(FailureClass::provider_down, {"b"}), "a");
  EXPECT_EQ(h.state("a"), ProviderState::ejected);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.send(FailureClass::provider_down), "b");
  EXPECT_EQ(h.state("b"), ProviderState::healthy);  // kept: the pool would be empty
  auto types = h.event_types();
  EXPECT_EQ(std::count(types.begin(), types.end(), "ejection_suppressed"),
            1);  // loud, not once per message
  EXPECT_NE(
      h.metrics.render().find("postern_provider_ejections_suppressed_total{provider=\"b\"} 10"),
      std::string::npos);
  // A pool of one behaves the same.
  RouterHarness single(quick_outlier());
  single.add("only");
  EXPECT_EQ(single.send(FailureClass::provider_down), "only");
  EXPECT_EQ(single.state("only"), ProviderState::healthy);
}

TEST(Router, ARateLimitedOrCappedProviderMakesThePickWaitNotFail) {
  RouterHarness h;
  auto limited = test::definition("a");
  limited.rate_limit = 10;  // burst 10
  limited.max_concurrency = 3;
  h.add(limited);
  // The cap: three in flight, the fourth waits for one to finish.
  std::vector<Pick> out;
  for (int i = 0; i < 3; ++i) out.push_back(h.router.pick(h.message, {}));
  auto busy = h.router.pick(h.message, {});
  EXPECT_EQ(busy.status, PickStatus::busy);
  EXPECT_EQ(busy.retry_at, SteadyTime::max());  // only a finished attempt helps
  h.router.report(*out[0].slot, answer(FailureClass::ok));
  EXPECT_EQ(h.router.pick(h.message, {}).status, PickStatus::picked);
  for (int i = 1; i < 3; ++i) h.router.report(*out[i].slot, answer(FailureClass::ok));
  // The bucket: 4 taken so far, 6 left of the burst, then one per 100 ms.
  int sent = 0;
  for (int i = 0; i < 20; ++i) {
    auto p = h.router.pick(h.message, {});
    if (p.status != PickStatus::picked) {
      EXPECT_EQ(p.status, PickStatus::busy);
      EXPECT_EQ(p.retry_at, h.clock.steady_now() + 100ms);
      break;
    }
    h.router.report(*p.slot, answer(FailureClass::ok));
    ++sent;
  }
  EXPECT_EQ(sent, 6);  // the burst of 10, less the 4 taken before
  h.clock.advance(100ms);
  EXPECT_EQ(h.router.pick(h.message, {}).status, PickStatus::picked);
}

TEST(Router, A429WithRetryAfterSlowsThatProviderOnly) {
  RouterHarness h;
  h.add("a");
  h.add("b");
  auto p = h.router.pick(h.message, {});
  ASSERT_EQ(p.slot->name(), "a");
  h.router.report(*p.slot, answer(FailureClass::transient, "429", 3000ms));
  EXPECT_EQ(h.state("a"), ProviderState::healthy);  // pressure, not a fault
  EXPECT_TRUE(h.router.provider("a")->paused_until);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(h.send(), "b");
  h.clock.advance(3001ms);
  // The pause ends with one attempt, not a herd: nothing more until it answers.
  auto first = h.router.pick(h.message, {});
  ASSERT_EQ(first.slot->name(), "a");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.send(), "b");
  h.router.report(*first.slot, answer(FailureClass::ok));
  EXPECT_GT(h.distribution(10)["a"], 0);
  // With only the paused provider left, the pick waits until its Retry-After.
  RouterHarness solo;
  solo.add("x");
  auto q = solo.router.pick(solo.message, {});
  solo.router.report(*q.slot, answer(FailureClass::transient, "429", 2000ms));
  auto busy = solo.router.pick(solo.message, {});
  EXPECT_EQ(busy.status, PickStatus::busy);
  EXPECT_EQ(busy.retry_at, solo.clock.steady_now() + 2000ms);
}

TEST(Router, AThrottleWithItsOwnCodeAndNoRetryAfterStillPausesTheProvider) {
  RouterHarness h;
  h.add("a");
  h.add("b");
  auto p = h.router.pick(h.message, {});
  ASSERT_EQ(p.slot->name(), "a");
  auto throttle = answer(FailureClass::transient, "TooManyRequestsException");
  throttle.throttled = true;
  h.router.report(*p.slot, throttle);
  EXPECT_EQ(h.state("a"), ProviderState::healthy);
  EXPECT_TRUE(h.router.provider("a")->paused_until);  // the default pause
  EXPECT_EQ(h.router.provider("a")->consecutive_failures, 0u);
}

TEST(Router, Sustained429PressureEjects) {
  auto o = quick_outlier();
  o.outlier.min_requests = 10;
  o.outlier.throttle_rate = 0.5;
  RouterHarness h(o);
  h.add("a");
  h.add("b");
  for (int i = 0; i < 10; ++i) {
    auto p = h.router.pick(h.message, std::vector<std::string>{"b"});
    ASSERT_EQ(p.slot->name(), "a");
    h.router.report(*p.slot, answer(FailureClass::transient, "429"));
    h.clock.advance(1001ms);  // past the default 1 s pause
  }
  EXPECT_EQ(h.state("a"), ProviderState::ejected);
  EXPECT_NE(h.router.provider("a")->reason.find("429 pressure"), std::string::npos);
}

TEST(Router, ErrorRateOverTheWindowEjects) {
  auto o = quick_outlier();
  o.outlier.min_requests = 20;
  o.outlier.error_rate = 0.5;
  o.outlier.consecutive_failures = 0;
  RouterHarness h(o);
  h.add("a");
  h.add("b");
  // Alternate ok and failure: never 5 in a row, but half fail.
  for (int i = 0; i < 19; ++i) h.send(i % 2 ? FailureClass::transient : FailureClass::ok, {"b"});
  EXPECT_EQ(h.state("a"), ProviderState::healthy);
  h.send(FailureClass::transient, {"b"});
  EXPECT_EQ(h.state("a"), ProviderState::ejected);
  EXPECT_NE(h.router.provider("a")->reason.find("error rate 50%"), std::string::npos);
}

TEST(Router, RoutesChooseThePoolBySenderDomainTagAndMetadata) {
  RouterOptions o;
  o.routes = RouteTable({{"*.news.example.com", "", "", "", "bulk"},
                         {"", "receipt", "", "", "fast"},
                         {"", "", "tenant", "acme", "acme"}},
                        "default");
  RouterHarness h(o);
  h.add("d1");
  h.add("bulk1", "bulk");
  h.add("fast1", "fast");
  h.add("acme1", "acme");
  auto pick_for = [&](const providers::OutboundMessage& m) {
    auto p = h.router.pick(m, {});
    EXPECT_EQ(p.status, PickStatus::picked);
    h.router.report(*p.slot, answer(FailureClass::ok));
    return p.slot->name();
  };
  EXPECT_EQ(pick_for(RouterHarness::make_message("a@mail.news.example.com")), "bulk1");
  EXPECT_EQ(pick_for(RouterHarness::make_message("a@example.com", {"x", "receipt"})), "fast1");
  EXPECT_EQ(
      pick_for(RouterHarness::make_message(
          "a@example.com", {},
          R"({"from":"a@example.com","to":"b@x.org","text":"t","metadata":{"tenant":"acme"}})")),
      "acme1");
  EXPECT_EQ(pick_for(RouterHarness::make_message("a@other.org")), "d1");
  // A pool without a healthy provider does not borrow another pool's.
  h.router.set_admin("bulk1", AdminState::paused);
  EXPECT_EQ(h.router.pick(RouterHarness::make_message("a@news.example.com"), {}).status,
            PickStatus::unavailable);
}

TEST(Router, DrainFinishesInFlightAndTakesNoNewPauseAndResume) {
  RouterHarness h;
  h.add("a");
  h.add("b");
  auto in_flight = h.router.pick(h.message, std::vector<std::string>{"b"});
  ASSERT_EQ(in_flight.slot->name(), "a");
  h.router.set_admin("a", AdminState::draining);
  EXPECT_EQ(h.state("a"), ProviderState::draining);
  EXPECT_EQ(h.distribution(10)["b"], 10);
  h.router.report(*in_flight.slot, answer(FailureClass::ok));
  EXPECT_EQ(h.state("a"), ProviderState::drained);
  h.router.set_admin("a", AdminState::paused);
  EXPECT_EQ(h.state("a"), ProviderState::paused);
  EXPECT_EQ(h.distribution(10)["b"], 10);
  h.router.set_admin("a", AdminState::active);
  EXPECT_EQ(h.state("a"), ProviderState::healthy);
  EXPECT_EQ(h.distribution(10)["a"], 5);
}

TEST(Router, RemovedProviderDrainsThenLeavesAndItsAttemptStillReports) {
  RouterHarness h;
  h.add("a");
  h.add("b");
  auto in_flight = h.router.pick(h.message, std::vector<std::string>{"b"});
  ASSERT_EQ(in_flight.slot->name(), "a");
  EXPECT_EQ(h.router.remove("a"), Change::done);
  EXPECT_EQ(h.distribution(10)["b"], 10);
  h.router.tick();
  EXPECT_TRUE(h.router.provider("a"));  // still in flight
  h.router.report(*in_flight.slot, answer(FailureClass::ok));
  h.router.tick();
  EXPECT_FALSE(h.router.provider("a"));
  EXPECT_EQ(h.router.size(), 1u);
  auto types = h.event_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "provider_removed"), types.end());
  EXPECT_EQ(h.router.remove("a"), Change::unknown);
}

TEST(Router, ReplacedProviderTakesOverTheNameWhileTheOldOneDrains) {
  RouterHarness h;
  auto* old_provider = h.add("a");
  auto old = h.router.pick(h.message, {});
  auto def = test::definition("a");
  def.settings["host"] = "new";
  auto fresh = std::make_unique<test::ScriptedProvider>("a");
  auto* fresh_raw = fresh.get();
  EXPECT_EQ(h.router.replace(std::move(fresh), def, ProviderSource::config), Change::done);
  auto p = h.router.pick(h.message, {});
  ASSERT_EQ(p.status, PickStatus::picked);
  EXPECT_EQ(&p.provider(), fresh_raw);
  EXPECT_NE(&old.provider(), static_cast<providers::Provider*>(fresh_raw));
  EXPECT_EQ(&old.provider(), old_provider);
  h.router.report(*old.slot, answer(FailureClass::ok));
  h.router.report(*p.slot, answer(FailureClass::ok));
  h.router.tick();
  EXPECT_EQ(h.router.providers().size(), 1u);
  EXPECT_EQ(h.router.config_of("a")->settings.at("host"), "new");
}

// The webhook receiver asks for a provider by name: the current object,
// which its caller keeps alive even if the router lets go of it.
TEST(Router, CurrentIsTheProviderThatTookTheNameAndOutlivesItsRemoval) {
  RouterHarness h;
  EXPECT_EQ(h.router.current("a"), nullptr);
  auto* old_provider = h.add("a");
  EXPECT_EQ(h.router.current("a").get(), old_provider);
  auto def = test::definition("a");
  def.settings["host"] = "new";
  auto fresh = std::make_unique<test::ScriptedProvider>("a");
  auto* fresh_raw = fresh.get();
  ASSERT_EQ(h.router.replace(std::move(fresh), def, ProviderSource::config), Change::done);
  auto held = h.router.current("a");
  EXPECT_EQ(held.get(), fresh_raw);
  ASSERT_EQ(h.router.remove("a"), Change::done);
  h.router.tick();
  EXPECT_EQ(h.router.current("a"), nullptr);
  EXPECT_EQ(held->name(), "a");  // still alive: the caller holds it
}

TEST(Router, NewSettingsKeepTheOperatorsPause) {
  RouterHarness h;
  h.add("a");
  h.router.set_admin("a", AdminState::paused);
  auto def = test::definition("a");
  def.settings["host"] = "new";
  EXPECT_EQ(
      h.router.replace(std::make_unique<test::ScriptedProvider>("a"), def, ProviderSource::config),
      Change::done);
  EXPECT_EQ(h.router.provider("a")->state, ProviderState::paused);
  EXPECT_EQ(h.router.pick(h.message, {}).status, PickStatus::unavailable);
}

TEST(Router, ANameStillDrainingAfterRemovalCanBeAddedAgain) {
  RouterHarness h;
  h.add("a");
  auto in_flight = h.router.pick(h.message, {});
  ASSERT_EQ(h.router.remove("a"), Change::done);
  auto* fresh = h.add("a");
  auto p = h.router.pick(h.message, {});
  ASSERT_EQ(p.status, PickStatus::picked);
  EXPECT_EQ(&p.provider(), static_cast<providers::Provider*>(fresh));
  h.router.report(*in_flight.slot, answer(FailureClass::ok));
  h.router.report(*p.slot, answer(FailureClass::ok));
  h.router.tick();
  ASSERT_EQ(h.router.providers().size(), 1u);
  EXPECT_EQ(h.router.provider("a")->state, ProviderState::healthy);
}

TEST(Router, UpdateMovesAProviderBetweenPoolsAndAppliesLimits) {
  RouterHarness h;
  h.add("a");
  auto def = test::definition("a", "other");
  def.max_concurrency = 1;
  EXPECT_EQ(h.router.update(def), Change::done);
  EXPECT_EQ(h.router.pick(h.message, {}).status,
            PickStatus::unavailable);  // default pool is empty now
  auto view = h.router.routing();
  ASSERT_EQ(view.pools.size(), 2u);
  EXPECT_EQ(view.pools[1].name, "other");
  EXPECT_EQ(view.pools[1].providers, std::vector<std::string>{"a"});
  EXPECT_EQ(h.router.provider("a")->max_concurrency, 1u);
}

TEST(Router, StateChangesAreCountedAndPublished) {
  RouterHarness h(quick_outlier());
  h.add("a");
  h.add("b");
  h.send(FailureClass::provider_down, {"b"});
  auto metrics = h.metrics.render();
  EXPECT_NE(metrics.find("postern_provider_state{provider=\"a\",state=\"ejected\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("postern_provider_state{provider=\"a\",state=\"healthy\"} 0"),
            std::string::npos);
  EXPECT_NE(
      metrics.find("postern_provider_state_changes_total{provider=\"a\",state=\"ejected\"} 1"),
      std::string::npos);
  auto events = h.events.recent();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, "provider_state");
  EXPECT_NE(events.back().data.find(R"("state":"ejected")"), std::string::npos);
  EXPECT_NE(events.back().data.find(R"("previous":"healthy")"), std::string::npos);
  EXPECT_NE(events.back().data.find(R"("check":"outlier")"), std::string::npos);
}

TEST(Router, APoolLeftWithoutProvidersIsLoud) {
  RouterHarness h;
  h.add("a");
  h.router.set_admin("a", AdminState::paused);
  auto types = h.event_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "pool_unavailable"), types.end());
  h.router.set_admin("a", AdminState::active);
  EXPECT_EQ(h.event_types().back(), "pool_available");
}

TEST(Router, ARouteIntoAPoolWithoutProvidersIsLoud) {
  RouterOptions options;
  options.routes =
      RouteTable({RouteRule{.sender_domain = "example.com", .pool = "empty"}}, "default");
  RouterHarness h(options);
  h.add("a");
  h.router.check_routed_pools();
  EXPECT_EQ(h.event_types().back(), "pool_unavailable");
  auto view = h.router.routing();
  ASSERT_EQ(view.pools.size(), 2u);
  EXPECT_EQ(view.pools[0].name, "empty");
  EXPECT_EQ(view.pools[0].active, 0u);
}

TEST(Router, ProvidersTooSmallForAMessageAreSkipped) {
  RouterHarness h;
  h.add("small")->max_bytes = 10;
  h.add("big");
  EXPECT_EQ(h.distribution(10)["big"], 10);
}

TEST(Router, AMessageNoProviderOfItsPoolCouldTakeIsUnfitNotDeferred) {
  RouterHarness h;
  h.add("small")->max_bytes = 10;
  auto* other = h.add("other");
  other->max_bytes = 10;
  EXPECT_EQ(h.router.pick(h.message, {}).status, PickStatus::unfit);
  // Too large for the healthy one, fits one that is out of service: wait.
  other->max_bytes = 0;
  h.router.set_admin("other", AdminState::paused);
  EXPECT_EQ(h.router.pick(h.message, {}).status, PickStatus::unavailable);
}

TEST(Router, RecipientsPerSendIsTheHighestLimitOfTheProvidersThatTakeTheSize) {
  RouterHarness h;
  h.add("fifty")->max_rcpt = 50;
  auto* hundred = h.add("hundred");
  hundred->max_rcpt = 100;
  auto* huge_but_small = h.add("thousand");
  huge_but_small->max_rcpt = 1000;
  huge_but_small->max_bytes = 10;  // the message is larger
  EXPECT_EQ(h.router.recipients_per_send(h.message), 100u);
  // Out of service: the others decide while one of them takes traffic.
  h.router.set_admin("hundred", AdminState::paused);
  EXPECT_EQ(h.router.recipients_per_send(h.message), 50u);
  h.router.set_admin("fifty", AdminState::paused);
  EXPECT_EQ(h.router.recipients_per_send(h.message), 100u);
  // A provider without a limit takes any message whole.
  h.add("unlimited");
  EXPECT_EQ(h.router.recipients_per_send(h.message), 0u);
}

TEST(Router, ViewsShowLatencyShareAndSuccessRate) {
  RouterHarness h;
  h.add("a");
  h.add("b");
  h.distribution(100);
  auto a = *h.router.provider("a");
  EXPECT_DOUBLE_EQ(a.share, 0.5);
  EXPECT_EQ(a.attempts_last_minute, 50u);
  EXPECT_DOUBLE_EQ(*a.success_rate, 1.0);
  EXPECT_DOUBLE_EQ(a.latency_ms, 1.0);
  h.clock.advance(61s);
  a = *h.router.provider("a");
  EXPECT_EQ(a.attempts_last_minute, 0u);
  EXPECT_FALSE(a.success_rate);
}

}  // namespace
}  // namespace postern::routing
