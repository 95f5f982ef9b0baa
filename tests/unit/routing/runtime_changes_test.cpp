// Run-time changes kept across restarts (docs/routing.md "Run-time
// changes"): the routing service against a store kept in memory, and a
// second service on that store standing for the restarted node. A change
// is answered once saved; a change the file has since overtaken is
// dropped; operator states hold; a registered relay gets one window.
#include "routing/runtime_changes.h"

#include <gtest/gtest.h>

#include "routing/routing_service.h"
#include "runtime_changes_fixture.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;
using test_support::api_capture;
using test_support::capture;
using test_support::RuntimeChangesTest;

TEST_F(RuntimeChangesTest, ChangesComeBackAfterARestart) {
  {
    auto node = start(file_);
    auto api = api_capture("c");
    api.weight = 4;
    ASSERT_TRUE(node->manage.create(api));
    auto a = *node->service.definition("a");
    a.weight = 7;
    ASSERT_TRUE(node->manage.update(a));
    ASSERT_TRUE(node->manage.set_admin("b", AdminState::paused));
    RoutingUpdate u;
    u.strategy = "weighted";
    ASSERT_TRUE(node->manage.set_routing(u));
  }
  auto node = start(file_);
  auto v = node->views();
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v.at("a").weight, 7);
  EXPECT_EQ(v.at("a").source, ProviderSource::config);
  EXPECT_EQ(v.at("b").admin, AdminState::paused);
  EXPECT_EQ(v.at("c").source, ProviderSource::api);
  EXPECT_EQ(v.at("c").weight, 4);
  EXPECT_EQ(node->service.routing().strategy, "weighted");
  // Only what the API changed is kept of a file's provider.
  EXPECT_EQ(store_.providers.at("a").definition, R"({"weight":"7"})");
}

TEST_F(RuntimeChangesTest, RemovedProvidersStayRemoved) {
  {
    auto node = start(file_);
    ASSERT_TRUE(node->manage.create(api_capture("c")));
    ASSERT_TRUE(node->manage.remove("c"));
    ASSERT_TRUE(node->manage.remove("b"));
    // One made over the removed file's "b", then removed: "b" stays removed.
    node->service.router().tick();
    ASSERT_TRUE(node->manage.create(api_capture("b")));
    ASSERT_TRUE(node->manage.remove("b"));
  }
  EXPECT_FALSE(store_.providers.contains("c"));  // made and removed at run time: nothing kept
  EXPECT_TRUE(store_.providers.at("b").removed);
  auto node = start(file_);
  auto v = node->views();
  EXPECT_EQ(v.size(), 1u);
  EXPECT_TRUE(v.contains("a"));
}

TEST_F(RuntimeChangesTest, TheFileWinsOnceItsEntryChanges) {
  {
    auto node = start(file_);
    auto a = *node->service.definition("a");
    a.weight = 7;
    ASSERT_TRUE(node->manage.update(a));
    ASSERT_TRUE(node->manage.set_admin("a", AdminState::paused));
    ASSERT_TRUE(node->manage.remove("b"));
    RoutingUpdate u;
    u.strategy = "weighted";
    ASSERT_TRUE(node->manage.set_routing(u));
  }
  auto edited = file_;
  edited.providers[0] = capture("a", "name=a\ntype=capture\nweight=2\n");
  edited.providers[0].weight = 2;
  edited.providers[1] = capture("b", "name=b\ntype=capture\npool=default\n");
  edited.router.strategy = "priority";
  auto node = start(edited);
  auto v = node->views();
  EXPECT_EQ(v.at("a").weight, 2);                  // the file's
  EXPECT_EQ(v.at("a").admin, AdminState::paused);  // the operator's state holds
  EXPECT_TRUE(v.contains("b"));                    // its entry changed: back
  EXPECT_EQ(node->service.routing().strategy, "priority");
  // Dropped from the store, the pause kept against the new entry.
  EXPECT_EQ(store_.providers.at("a").definition, "{}");
  EXPECT_EQ(store_.providers.at("a").file_entry, "name=a\ntype=capture\nweight=2\n");
  EXPECT_FALSE(store_.providers.contains("b"));
  EXPECT_TRUE(store_.settings.empty());
}

TEST_F(RuntimeChangesTest, AFileProviderTakesTheNameOfARunTimeOne) {
  {
    auto node = start(file_);
    ASSERT_TRUE(node->manage.create(api_capture("c")));
  }
  auto grown = file_;
  grown.providers.push_back(capture("c"));
  auto node = start(grown);
  EXPECT_EQ(node->views().at("c").source, ProviderSource::config);
  EXPECT_FALSE(store_.providers.contains("c"));
}

TEST_F(RuntimeChangesTest, BackToTheFileKeepsNothing) {
  auto node = start(file_);
  ASSERT_TRUE(node->manage.set_admin("a", AdminState::draining));
  EXPECT_TRUE(store_.providers.contains("a"));
  ASSERT_TRUE(node->manage.set_admin("a", AdminState::active));
  RoutingUpdate u;
  u.strategy = "random";
  ASSERT_TRUE(node->manage.set_routing(u));
  u.strategy = "round_robin";  // the file's
  ASSERT_TRUE(node->manage.set_routing(u));
  EXPECT_TRUE(store_.providers.empty());
  EXPECT_TRUE(store_.settings.empty());
}

TEST_F(RuntimeChangesTest, ARegisteredRelayGetsOneWindowAfterARestart) {
  file_.router.heartbeat.window = 5s;
  {
    auto node = start(file_);
    HeartbeatRequest beat;
    beat.name = "relay";
    beat.details = api_capture("relay");
    auto r = node->manage.heartbeat(beat);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->registered);
    int saves = store_.saves;
    beat.details.reset();
    ASSERT_TRUE(node->manage.heartbeat(beat));
    EXPECT_EQ(store_.saves, saves);  // an ordinary beat writes nothing
  }
  auto node = start(file_);
  auto relay = node->service.get("relay");
  ASSERT_TRUE(relay);
  EXPECT_EQ(relay->source, ProviderSource::heartbeat);
  EXPECT_EQ(relay->state, ProviderState::healthy);
  EXPECT_EQ(relay->heartbeat_ttl, 5s);
  clock_.advance(5s);
  node->service.router().tick();
  EXPECT_EQ(node->service.get("relay")->state, ProviderState::lapsed);
}

TEST_F(RuntimeChangesTest, AChangeThatCannotBeSavedIsNotAcknowledged) {
  auto node = start(file_);
  store_.fail = true;
  auto r = node->manage.create(api_capture("c"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, RoutingErrc::unavailable);
  // Reads and refused calls write nothing and need no store.
  EXPECT_EQ(node->manage.create(api_capture("a")).error().code, RoutingErrc::conflict);
}

TEST(RuntimeChangesFormat, APatchReadsBackOntoTheFileDefinition) {
  ProviderConfig file;
  file.name = "mg";
  file.type = "mailgun";
  file.rate_limit = 2.5;
  file.settings = {{"api_key", "resolved-secret"}, {"domain", "mg.example.com"}};
  auto now = file;
  now.weight = 9;
  now.rate_limit = 0.1;
  now.settings.erase("domain");
  auto patch = patch_json(file, now);
  EXPECT_EQ(patch.find("resolved-secret"), std::string::npos);  // unchanged: not kept
  auto back = file;
  ASSERT_TRUE(apply_definition(patch, back));
  EXPECT_EQ(provider_keys(back), provider_keys(now));
  ProviderConfig whole;
  whole.name = "mg";
  ASSERT_TRUE(apply_definition(definition_json(now), whole));
  EXPECT_EQ(provider_keys(whole), provider_keys(now));
  EXPECT_FALSE(apply_definition(R"({"weight":"-1"})", whole));
  EXPECT_FALSE(apply_definition("not json", whole));
}

}  // namespace
}  // namespace postern::routing
