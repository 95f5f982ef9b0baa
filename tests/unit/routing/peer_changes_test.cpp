// Several nodes on one store (docs/routing.md "Run-time changes"): what
// one changes at run time, the others bring in line with on the store's
// notice (RoutingService::sync()), and a node's own change, read back,
// builds nothing again.
#include <gtest/gtest.h>

#include <thread>

#include "routing/routing_service.h"
#include "runtime_changes_fixture.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;
using test_support::api_capture;
using test_support::Node;

class PeerChangesTest : public test_support::RuntimeChangesTest {
 protected:
  PeerChangesTest() : one_(start(file_)), two_(start(file_)) {}

  // Whether `done` holds within two seconds.
  static bool soon(const std::function<bool()>& done) {
    for (int i = 0; i < 200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return done();
  }

  std::unique_ptr<Node> one_;
  std::unique_ptr<Node> two_;
};

TEST_F(PeerChangesTest, AProviderMadeThroughOneNodeIsUsedByTheOther) {
  two_->service.start();  // listens to the store's notices
  auto c = api_capture("c");
  c.weight = 3;
  ASSERT_TRUE(one_->manage.create(c));
  ASSERT_TRUE(soon([&] { return two_->service.get("c").has_value(); }));
  auto seen = *two_->service.get("c");
  EXPECT_EQ(seen.source, ProviderSource::api);
  EXPECT_EQ(seen.weight, 3);

  c.weight = 5;
  ASSERT_TRUE(one_->manage.update(c));
  EXPECT_TRUE(soon([&] { return two_->service.get("c")->weight == 5; }));

  ASSERT_TRUE(one_->manage.remove("c"));
  EXPECT_TRUE(soon([&] { return two_->service.router().names(ProviderSource::api).empty(); }));
  two_->service.stop();
}

TEST_F(PeerChangesTest, NewConnectionSettingsMakeANewProviderOnThePeer) {
  ASSERT_TRUE(one_->manage.create(api_capture("c")));
  ASSERT_TRUE(two_->service.sync());
  auto before = two_->service.router().current("c");
  auto c = *one_->service.definition("c");
  c.weight = 9;  // an attribute: changed in place
  ASSERT_TRUE(one_->manage.update(c));
  ASSERT_TRUE(two_->service.sync());
  EXPECT_EQ(two_->service.router().current("c"), before);
  EXPECT_EQ(two_->service.get("c")->weight, 9);
  c.type = "smtp";  // another connection: built again
  c.settings["host"] = "127.0.0.1";
  ASSERT_TRUE(one_->manage.update(c));
  ASSERT_TRUE(two_->service.sync());
  EXPECT_NE(two_->service.router().current("c"), before);
}

TEST_F(PeerChangesTest, NothingIsBuiltAgainWhenNothingChanged) {
  ASSERT_TRUE(one_->manage.create(api_capture("c")));
  auto own = one_->service.router().current("c");
  EXPECT_FALSE(one_->service.sync());  // its own change, read back
  EXPECT_EQ(one_->service.router().current("c"), own);

  ASSERT_TRUE(two_->service.sync());
  auto learned = two_->service.router().current("c");
  auto a = two_->service.router().current("a");
  EXPECT_FALSE(two_->service.sync());
  EXPECT_EQ(two_->service.router().current("c"), learned);
  EXPECT_EQ(two_->service.router().current("a"), a);
}

TEST_F(PeerChangesTest, FileProvidersOperatorStatesAndRoutingFollow) {
  auto a = *one_->service.definition("a");
  a.weight = 7;
  ASSERT_TRUE(one_->manage.update(a));
  ASSERT_TRUE(one_->manage.set_admin("b", AdminState::paused));
  RoutingUpdate u;
  u.strategy = "weighted";
  ASSERT_TRUE(one_->manage.set_routing(u));
  ASSERT_TRUE(two_->service.sync());
  auto v = two_->views();
  EXPECT_EQ(v.at("a").weight, 7);
  EXPECT_EQ(v.at("a").source, ProviderSource::config);
  EXPECT_EQ(v.at("b").admin, AdminState::paused);
  EXPECT_EQ(two_->service.routing().strategy, "weighted");

  // Back as the file says: the peer follows.
  ASSERT_TRUE(one_->manage.set_admin("b", AdminState::active));
  ASSERT_TRUE(one_->manage.remove("a"));
  u.strategy = "round_robin";
  ASSERT_TRUE(one_->manage.set_routing(u));
  ASSERT_TRUE(two_->service.sync());
  v = two_->views();
  EXPECT_EQ(v.at("b").admin, AdminState::active);
  EXPECT_EQ(two_->service.router().names(ProviderSource::config), std::vector<std::string>{"b"});
  EXPECT_EQ(two_->service.routing().strategy, "round_robin");
}

// A relay beats the node it registered with; the others give it one
// window from when they learn of it, then it lapses there unless it beats
// them too.
TEST_F(PeerChangesTest, ARelayRegisteredThroughOneNodeGetsOneWindowOnTheOther) {
  HeartbeatRequest beat;
  beat.name = "relay";
  beat.details = api_capture("relay");
  beat.ttl = 5s;
  ASSERT_TRUE(one_->manage.heartbeat(beat));
  ASSERT_TRUE(two_->service.sync());
  auto relay = two_->service.get("relay");
  ASSERT_TRUE(relay);
  EXPECT_EQ(relay->source, ProviderSource::heartbeat);
  EXPECT_EQ(relay->state, ProviderState::healthy);
  EXPECT_EQ(relay->heartbeat_ttl, 5s);
  clock_.advance(5s);
  two_->service.router().tick();
  EXPECT_EQ(two_->service.get("relay")->state, ProviderState::lapsed);
  beat.details.reset();
  ASSERT_TRUE(two_->manage.heartbeat(beat));  // a beat of its own brings it back
  EXPECT_EQ(two_->service.get("relay")->state, ProviderState::healthy);
}

TEST_F(PeerChangesTest, NothingIsReloadedBeforeTheFirstApplyOrWithoutAStore) {
  Node fresh(io_, context_, registry_, clock_, metrics_, store_);
  ASSERT_TRUE(one_->manage.create(api_capture("c")));
  EXPECT_FALSE(fresh.service.sync());
  RoutingService alone(io_, registry_, context_, clock_, metrics_);
  EXPECT_FALSE(alone.sync());
}

}  // namespace
}  // namespace postern::routing
