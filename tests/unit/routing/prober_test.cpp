// Active probes: thresholds, the schedule (interval, jitter, the quicker
// re-check while a verdict is in doubt) and late answers, on a fake clock.
#include "routing/health/prober.h"

#include <gtest/gtest.h>

#include "routing_harness.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;

const SteadyTime t0 = SteadyTime(1000s);

ProbeOptions options() {
  ProbeOptions o;
  o.interval = 4000ms;
  o.jitter = 1000ms;
  o.unhealthy_threshold = 2;
  o.healthy_threshold = 3;
  return o;
}

bool probe(ProbeTracker& p, bool ok, SteadyTime at, double random = 0) {
  EXPECT_TRUE(p.due(at));
  auto id = p.start(at);
  return p.finish(id, ok, ok ? "" : "refused", 1ms, at, options(), random);
}

TEST(Prober, FirstProbeIsDueAtOnceAndThenEveryIntervalPlusJitter) {
  ProbeTracker p(t0);
  EXPECT_TRUE(p.due(t0));
  probe(p, true, t0, 0.5);
  EXPECT_FALSE(p.due(t0 + 4499ms));
  EXPECT_TRUE(p.due(t0 + 4500ms));
}

TEST(Prober, UnhealthyAfterNFailuresHealthyAfterMSuccesses) {
  ProbeTracker p(t0);
  auto t = t0;
  EXPECT_FALSE(probe(p, false, t));
  EXPECT_TRUE(p.healthy());
  // In doubt: the next probe comes after a quarter interval, without jitter.
  EXPECT_FALSE(p.due(t + 999ms));
  t += 1000ms;
  EXPECT_TRUE(probe(p, false, t));
  EXPECT_FALSE(p.healthy());
  EXPECT_EQ(p.last_detail(), "refused");
  t += 4000ms;
  EXPECT_FALSE(probe(p, true, t));
  t += 1000ms;
  EXPECT_FALSE(probe(p, true, t));
  t += 1000ms;
  EXPECT_TRUE(probe(p, true, t));
  EXPECT_TRUE(p.healthy());
}

TEST(Prober, AnIdleOutageIsSeenWithinTwoIntervals) {
  // Probes every 4 s (+ up to 1 s jitter); the outage starts just after a
  // good probe, the worst case.
  ProbeTracker p(t0);
  probe(p, true, t0, 1.0);
  auto outage = t0 + 1ms;
  auto t = t0;
  while (p.healthy()) {
    t += 10ms;
    if (p.due(t)) probe(p, t < outage, t, 1.0);
  }
  EXPECT_LT(t - outage, 2 * options().interval);
}

TEST(Prober, LateAndStaleAnswersAreIgnored) {
  ProbeTracker p(t0);
  auto first = p.start(t0);
  EXPECT_FALSE(p.due(t0 + 1h));  // one at a time
  EXPECT_FALSE(p.finish(first + 1, false, "x", 0ms, t0, options(), 0));
  EXPECT_TRUE(p.running());
  p.finish(first, true, "", 0ms, t0, options(), 0);
  EXPECT_FALSE(p.finish(first, false, "late", 0ms, t0, options(), 0));
  EXPECT_TRUE(p.last_ok());
}

// Through the router: the probe verdict takes a provider out of the active
// set and brings it back, and a recovery ends a passive ejection early.
TEST(ProberThroughRouter, ProbesDecideAndRecoveryStartsTheTrial) {
  RouterOptions o;
  o.probe = options();
  o.probe.jitter = 0ms;
  test::RouterHarness h(o);
  auto* a = h.add("a");
  h.add("b");
  auto run_due = [&] {
    for (auto& job : h.router.due_probes()) {
      job.slot->provider().probe(
          [&, job](providers::ProbeResult r) { h.router.probe_finished(*job.slot, job.id, r); });
    }
  };
  run_due();
  EXPECT_EQ(a->probes, 1);
  a->probe_healthy = false;
  h.send(providers::FailureClass::provider_down, {"b"});  // also ejected passively
  EXPECT_EQ(h.state("a"), ProviderState::ejected);
  for (int i = 0; i < 2; ++i) {
    h.clock.advance(4000ms);
    run_due();
  }
  EXPECT_EQ(h.state("a"), ProviderState::unhealthy);  // probes outrank outlier detection
  EXPECT_EQ(h.router.provider("a")->check, Check::probe);
  EXPECT_NE(h.router.provider("a")->reason.find("connection refused"), std::string::npos);
  a->probe_healthy = true;
  for (auto step : {4000ms, 1000ms, 1000ms}) {  // the interval, then quicker while in doubt
    h.clock.advance(step);
    run_due();
  }
  // Healthy by probes; the 2 s passive ejection (now 2 s old) ended with it.
  EXPECT_EQ(h.state("a"), ProviderState::half_open);
  EXPECT_EQ(h.send(providers::FailureClass::ok, {"b"}), "a");
}

TEST(ProberThroughRouter, ProvidersWithProbeOffAreNotProbed) {
  test::RouterHarness h;
  auto def = test::definition("a");
  def.probe = false;
  auto* a = h.add(def);
  EXPECT_TRUE(h.router.due_probes().empty());
  EXPECT_EQ(a->probes, 0);
}

}  // namespace
}  // namespace postern::routing
