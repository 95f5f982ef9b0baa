// Heartbeats on a fake clock: a beat keeps a provider in the active set,
// silence for its window takes it out, the next beat brings it back, with
// traffic following each step; and who may register.
#include "routing/health/heartbeats.h"

#include <gtest/gtest.h>

#include "routing_harness.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;

TEST(HeartbeatMonitor, LapsesAfterItsWindowAndComesBack) {
  HeartbeatMonitor m;
  const SteadyTime t0 = SteadyTime(1000s);
  EXPECT_FALSE(m.check(t0 + 1h));  // never beaten: not watched
  EXPECT_FALSE(m.beat(t0, 10s));
  EXPECT_FALSE(m.check(t0 + 9999ms));
  EXPECT_TRUE(m.check(t0 + 10s));
  EXPECT_FALSE(m.check(t0 + 11s));  // once
  EXPECT_TRUE(m.lapsed());
  EXPECT_TRUE(m.beat(t0 + 20s, 5s));
  EXPECT_FALSE(m.lapsed());
  EXPECT_EQ(m.beats(), 2u);
}

TEST(HeartbeatPolicy, RegistrationCanBeOffOrLimitedToNames) {
  HeartbeatOptions o;
  EXPECT_FALSE(registration_refused(o, "anything"));
  o.allowed = {"relay-1", "relay-2"};
  EXPECT_FALSE(registration_refused(o, "relay-2"));
  EXPECT_TRUE(registration_refused(o, "relay-3"));
  o.registration = false;
  EXPECT_TRUE(registration_refused(o, "relay-1"));
}

TEST(HeartbeatLifecycle, RegisterLapseRemoveReturnWithTrafficFollowing) {
  test::RouterHarness h;
  h.add("static");
  // Registration: the routing service adds it, then it beats.
  h.add(test::definition("relay"), ProviderSource::heartbeat);
  ASSERT_EQ(h.router.heartbeat("relay", 10s), Change::done);
  auto d = h.distribution(100);
  EXPECT_EQ(d["relay"], 50);
  // Beats keep it in.
  for (int i = 0; i < 5; ++i) {
    h.clock.advance(8s);
    h.router.heartbeat("relay", 10s);
    h.router.tick();
  }
  EXPECT_EQ(h.state("relay"), ProviderState::healthy);
  // Silence for the window: out of the active set, traffic moves.
  h.clock.advance(9999ms);
  h.router.tick();
  EXPECT_EQ(h.state("relay"), ProviderState::healthy);
  h.clock.advance(1ms);
  h.router.tick();
  EXPECT_EQ(h.state("relay"), ProviderState::lapsed);
  EXPECT_EQ(h.router.provider("relay")->check, Check::heartbeat);
  EXPECT_EQ(h.distribution(100)["static"], 100);
  // It beats again: back, and traffic returns.
  EXPECT_EQ(h.router.heartbeat("relay", 10s), Change::done);
  EXPECT_EQ(h.state("relay"), ProviderState::healthy);
  EXPECT_EQ(h.distribution(100)["relay"], 50);
  auto types = h.event_types();
  EXPECT_EQ(std::count(types.begin(), types.end(), "provider_state"), 2);  // lapsed, then healthy
}

TEST(HeartbeatLifecycle, ALapsedLastProviderLeavesItsPoolUnavailable) {
  test::RouterHarness h;
  h.add(test::definition("relay", "relays"), ProviderSource::heartbeat);
  h.router.heartbeat("relay", 1s);
  RouterOptions o = h.router.options();
  o.routes = RouteTable({{"", "relay", "", "", "relays"}}, "default");
  h.router.set_options(o);
  auto m = test::RouterHarness::make_message("a@example.com", {"relay"});
  EXPECT_EQ(h.router.pick(m, {}).status, PickStatus::picked);
  h.clock.advance(1s);
  h.router.tick();
  EXPECT_EQ(h.router.pick(m, {}).status, PickStatus::unavailable);
}

TEST(HeartbeatLifecycle, UnknownNamesAreForTheServiceToRegister) {
  test::RouterHarness h;
  EXPECT_EQ(h.router.heartbeat("nobody", 1s), Change::unknown);
}

}  // namespace
}  // namespace postern::routing
