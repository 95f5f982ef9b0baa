// The routing service with the real registry (capture and SMTP providers,
// no network): configuration applied and re-applied (reload), all or
// nothing; providers created over the API with the factories' errors;
// heartbeat registration and its policy.
#include "routing/routing_service.h"

#include <gtest/gtest.h>

#include "net/http_client.h"
#include "net/io_runtime.h"
#include "providers/registry.h"
#include "routing/sync_routing.h"
#include "support/fake_clock.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;

ProviderConfig capture(const std::string& name, const std::string& pool = "default") {
  ProviderConfig c;
  c.name = name;
  c.type = "capture";
  c.pool = pool;
  c.key_path = "providers[" + name + "]";
  return c;
}

class RoutingServiceTest : public ::testing::Test, protected test::RoutingServiceDeps {
 protected:
  std::map<std::string, ProviderView> views() {
    std::map<std::string, ProviderView> out;
    for (auto& v : service_.list()) out.emplace(v.name, v);
    return out;
  }

  RoutingService service_{io_, registry_, context_, clock_, metrics_};
  test::SyncRouting manage_{service_};
};

TEST_F(RoutingServiceTest, WithNoProviderConfiguredMailGoesToCapture) {
  ASSERT_TRUE(service_.apply(RoutingConfig{}));
  auto v = views();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v.at("capture").type, "capture");
}

TEST_F(RoutingServiceTest, ReapplyingAddsUpdatesReplacesAndRemoves) {
  RoutingConfig c;
  c.providers = {capture("a"), capture("b"), capture("c")};
  c.router.strategy = "weighted";
  ASSERT_TRUE(service_.apply(c));
  EXPECT_EQ(service_.routing().strategy, "weighted");
  // An API provider is not the file's to remove.
  auto api = capture("api");
  api.key_path = "settings";
  ASSERT_TRUE(manage_.create(api));

  RoutingConfig next;
  next.providers = {capture("a"), capture("b", "other"), capture("d")};
  next.providers[0].weight = 7;
  next.router.strategy = "priority";
  auto applied = service_.apply(next);
  ASSERT_TRUE(applied) << applied.error().to_string();
  EXPECT_EQ(*applied, "providers: 1 added, 2 changed, 1 removed; strategy priority, 0 routes");
  service_.router().tick();
  auto v = views();
  EXPECT_EQ(v.at("a").weight, 7);
  EXPECT_EQ(v.at("b").pool, "other");
  EXPECT_TRUE(v.contains("d"));
  EXPECT_FALSE(v.contains("c"));  // idle: drained and gone at once
  EXPECT_EQ(v.at("api").source, ProviderSource::api);
  EXPECT_EQ(service_.routing().strategy, "priority");
}

TEST_F(RoutingServiceTest, ABadConfigurationChangesNothing) {
  RoutingConfig c;
  c.providers = {capture("a")};
  ASSERT_TRUE(service_.apply(c));
  RoutingConfig bad;
  bad.providers = {capture("b"), capture("c")};
  bad.providers[1].type = "pigeon";
  bad.router.strategy = "random";
  auto applied = service_.apply(bad);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().key, "providers[c].type");
  auto v = views();
  EXPECT_EQ(v.size(), 1u);
  EXPECT_TRUE(v.contains("a"));
  EXPECT_EQ(service_.routing().strategy, "round_robin");
}

TEST_F(RoutingServiceTest, ApiCreationUsesTheFactoriesAndNamesTheField) {
  auto unknown = capture("x");
  unknown.key_path = "settings";
  unknown.type = "pigeon";
  auto r = manage_.create(unknown);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "type");
  ProviderConfig smtp;
  smtp.name = "relay";
  smtp.type = "smtp";
  smtp.key_path = "settings";
  smtp.settings["port"] = "2525";
  r = manage_.create(smtp);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, RoutingErrc::invalid);
  EXPECT_EQ(r.error().field, "settings.host");
  smtp.settings["host"] = "127.0.0.1";
  ASSERT_TRUE(manage_.create(smtp));
  r = manage_.create(smtp);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, RoutingErrc::conflict);
  auto bad_name = capture("no spaces");
  EXPECT_EQ(manage_.create(bad_name).error().field, "name");
}

TEST_F(RoutingServiceTest, UpdateKeepsOrReplacesTheConnection) {
  auto a = capture("a");
  a.key_path = "settings";
  ASSERT_TRUE(manage_.create(a));
  a.weight = 3;
  auto r = manage_.update(a);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->weight, 3);
  EXPECT_EQ(manage_.update(capture("zzz")).error().code, RoutingErrc::not_found);
}

TEST_F(RoutingServiceTest, HeartbeatsRegisterWithinThePolicy) {
  RoutingConfig c;
  c.router.heartbeat.allowed = {"relay-1"};
  ASSERT_TRUE(service_.apply(c));
  HeartbeatRequest beat;
  beat.name = "relay-1";
  auto r = manage_.heartbeat(beat);
  ASSERT_FALSE(r);  // no details: cannot register
  EXPECT_EQ(r.error().field, "type");
  beat.details = capture("ignored", "relays");
  beat.details->key_path = "settings";
  beat.ttl = 5s;
  r = manage_.heartbeat(beat);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->registered);
  EXPECT_EQ(r->provider.pool, "relays");
  EXPECT_EQ(r->provider.source, ProviderSource::heartbeat);
  EXPECT_EQ(r->ttl, 5s);
  // Beats again (no details needed); lapses; returns.
  HeartbeatRequest again;
  again.name = "relay-1";
  r = manage_.heartbeat(again);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->registered);
  EXPECT_EQ(r->ttl, 30s);  // the configured window
  clock_.advance(30s);
  service_.router().tick();
  EXPECT_EQ(service_.get("relay-1")->state, ProviderState::lapsed);
  r = manage_.heartbeat(again);
  EXPECT_TRUE(r->returned);
  EXPECT_EQ(r->provider.state, ProviderState::healthy);
  // Names not allowed, and registration off.
  HeartbeatRequest other = beat;
  other.name = "relay-2";
  EXPECT_EQ(manage_.heartbeat(other).error().code, RoutingErrc::forbidden);
  // A configured provider may beat (it is then watched) without details.
  HeartbeatRequest watched;
  watched.name = "capture";
  ASSERT_TRUE(manage_.heartbeat(watched));
  EXPECT_EQ(service_.get("capture")->source, ProviderSource::config);
}

TEST_F(RoutingServiceTest, RoutingChangesAreValidated) {
  ASSERT_TRUE(service_.apply(RoutingConfig{}));
  RoutingUpdate u;
  u.strategy = "fastest";
  EXPECT_EQ(manage_.set_routing(u).error().field, "strategy");
  u.strategy = "least_latency";
  u.routes = std::vector<RouteRule>{{"", "", "", "", "x"}};
  EXPECT_EQ(manage_.set_routing(u).error().field, "routes[0]");
  u.routes = std::vector<RouteRule>{{"example.com", "", "", "", "x"}};
  auto r = manage_.set_routing(u);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->strategy, "least_latency");
  EXPECT_EQ(r->routes.size(), 1u);
  auto types = service_.events().recent();
  EXPECT_EQ(types.back().type, "routing_changed");
}

}  // namespace
}  // namespace postern::routing
