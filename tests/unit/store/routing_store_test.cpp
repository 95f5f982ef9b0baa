// Providers and routing settings changed at run time (store/routing_store.h)
// on the SQLite store: what is saved is what a restart loads, a change
// replaces by name, deletes and clear drop rows, and a store that is
// closed refuses writes rather than losing them silently.
#include "store/routing_store.h"

#include <gtest/gtest.h>

#include "event_fixture.h"

namespace postern::store {
namespace {

StoredProvider provider(std::string name, std::string source = "api") {
  StoredProvider p;
  p.name = std::move(name);
  p.source = std::move(source);
  p.definition = R"({"type":"smtp","settings":{"password":"s3cret"}})";
  return p;
}

// The event fixture's store in a temporary directory, reopened as a restart.
class RoutingStoreTest : public EventFixture {
 protected:
  Result<void> save(RoutingChanges c) {
    return test::await_completion<void>(
        [&](auto done) { store_->routing().save(std::move(c), done); });
  }

  RuntimeRouting load() {
    auto r = store_->routing().load();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : RuntimeRouting{};
  }
};

TEST_F(RoutingStoreTest, ANewStoreHasNoRunTimeChanges) {
  auto r = load();
  EXPECT_TRUE(r.providers.empty());
  EXPECT_TRUE(r.settings.empty());
}

TEST_F(RoutingStoreTest, WhatIsSavedSurvivesARestartAsGiven) {
  RoutingChanges c;
  auto relay = provider("relay-1", "heartbeat");
  relay.heartbeat_ttl_ms = 5000;
  auto file = provider("mg", "config");
  file.definition = R"({"weight":"5"})";
  file.file_entry = "name=mg\ntype=mailgun\n";
  file.admin = "paused";
  auto gone = provider("ses", "config");
  gone.removed = true;
  c.put_providers = {provider("api-1"), relay, file, gone};
  c.put_settings = {{"strategy", R"("weighted")", R"("round_robin")", {}}};
  ASSERT_TRUE(save(c));
  open();  // a restart

  auto r = load();
  ASSERT_EQ(r.providers.size(), 4u);  // by name
  EXPECT_EQ(r.providers[0].name, "api-1");
  EXPECT_EQ(r.providers[0].source, "api");
  EXPECT_EQ(r.providers[0].definition, R"({"type":"smtp","settings":{"password":"s3cret"}})");
  EXPECT_EQ(r.providers[0].admin, "active");
  EXPECT_EQ(r.providers[0].updated_at, clock_.now());
  EXPECT_EQ(r.providers[1].name, "mg");
  EXPECT_EQ(r.providers[1].file_entry, "name=mg\ntype=mailgun\n");
  EXPECT_EQ(r.providers[1].admin, "paused");
  EXPECT_FALSE(r.providers[1].removed);
  EXPECT_EQ(r.providers[2].name, "relay-1");
  EXPECT_EQ(r.providers[2].heartbeat_ttl_ms, 5000);
  EXPECT_EQ(r.providers[3].name, "ses");
  EXPECT_TRUE(r.providers[3].removed);
  ASSERT_EQ(r.settings.size(), 1u);
  EXPECT_EQ(r.settings[0].key, "strategy");
  EXPECT_EQ(r.settings[0].value, R"("weighted")");
  EXPECT_EQ(r.settings[0].file_value, R"("round_robin")");
}

TEST_F(RoutingStoreTest, APutReplacesByNameAndDeletesComeFirst) {
  RoutingChanges first;
  first.put_providers = {provider("a"), provider("b")};
  first.put_settings = {{"strategy", R"("random")", R"("round_robin")", {}},
                        {"routes", "[]", "[]", {}}};
  ASSERT_TRUE(save(first));

  RoutingChanges next;
  // Deleted then put again in one change: the put stands.
  next.delete_providers = {"a", "b"};
  auto paused = provider("a");
  paused.admin = "paused";
  next.put_providers = {paused};
  next.delete_settings = {"routes"};
  next.put_settings = {{"strategy", R"("priority")", R"("round_robin")", {}}};
  ASSERT_TRUE(save(next));

  auto r = load();
  ASSERT_EQ(r.providers.size(), 1u);
  EXPECT_EQ(r.providers[0].name, "a");
  EXPECT_EQ(r.providers[0].admin, "paused");
  ASSERT_EQ(r.settings.size(), 1u);
  EXPECT_EQ(r.settings[0].value, R"("priority")");
}

TEST_F(RoutingStoreTest, ClearDropsEveryChangeAndCountsThem) {
  RoutingChanges c;
  c.put_providers = {provider("a"), provider("b")};
  c.put_settings = {{"default_pool", R"("eu")", R"("default")", {}}};
  ASSERT_TRUE(save(c));
  auto dropped =
      test::await_completion<std::size_t>([&](auto done) { store_->routing().clear(done); });
  ASSERT_TRUE(dropped) << dropped.error().message();
  EXPECT_EQ(*dropped, 3u);
  open();
  auto r = load();
  EXPECT_TRUE(r.providers.empty());
  EXPECT_TRUE(r.settings.empty());
}

TEST_F(RoutingStoreTest, AClosedStoreRefusesAChange) {
  store_->close();
  RoutingChanges c;
  c.put_providers = {provider("a")};
  auto r = save(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::shutting_down);
}

}  // namespace
}  // namespace postern::store
