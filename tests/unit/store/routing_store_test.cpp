// Providers and routing settings changed at run time (store/routing_store.h)
// on both backends: what is saved is what a restart loads, a change
// replaces by name, deletes and clear drop rows, and a store that is
// closed refuses writes rather than losing them silently. On PostgreSQL,
// what one node saves every other node loads, and is told of.
#include "store/routing_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "node_parts.h"
#include "store/postgres/connection.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

StoredProvider provider(std::string name, std::string source = "api") {
  StoredProvider p;
  p.name = std::move(name);
  p.source = std::move(source);
  p.definition = R"({"type":"smtp","settings":{"password":"s3cret"}})";
  return p;
}

// A store of the backend the parameter names, reopened as a restart.
class RoutingStoreTest : public AnyStoreFixture {
 protected:
  RoutingStore& routing() { return routing_of(*store_, backend_); }

  Result<void> save(RoutingChanges c) {
    return test::await_completion<void>([&](auto done) { routing().save(std::move(c), done); });
  }

  RuntimeRouting load() {
    auto r = routing().load();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : RuntimeRouting{};
  }
};

TEST_P(RoutingStoreTest, ANewStoreHasNoRunTimeChanges) {
  auto r = load();
  EXPECT_TRUE(r.providers.empty());
  EXPECT_TRUE(r.settings.empty());
}

TEST_P(RoutingStoreTest, WhatIsSavedSurvivesARestartAsGiven) {
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

TEST_P(RoutingStoreTest, APutReplacesByNameAndDeletesComeFirst) {
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

TEST_P(RoutingStoreTest, ClearDropsEveryChangeAndCountsThem) {
  RoutingChanges c;
  c.put_providers = {provider("a"), provider("b")};
  c.put_settings = {{"default_pool", R"("eu")", R"("default")", {}}};
  ASSERT_TRUE(save(c));
  auto dropped = test::await_completion<std::size_t>([&](auto done) { routing().clear(done); });
  ASSERT_TRUE(dropped) << dropped.error().message();
  EXPECT_EQ(*dropped, 3u);
  open();
  auto r = load();
  EXPECT_TRUE(r.providers.empty());
  EXPECT_TRUE(r.settings.empty());
}

TEST_P(RoutingStoreTest, AClosedStoreRefusesAChange) {
  store_->close();
  RoutingChanges c;
  c.put_providers = {provider("a")};
  auto r = save(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::shutting_down);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoutingStoreTest,
                         ::testing::Values(Backend::sqlite, Backend::postgres));

// Counts a node's change notices; a notice comes once the change can be
// read.
struct Notices {
  std::atomic<int> n{0};
  std::function<void()> listener() {
    return [this] { ++n; };
  }
  // True once more than `seen` came, within a bound a loaded machine keeps.
  bool past(int seen) {
    for (int i = 0; i < 1500 && n <= seen; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return n > seen;
  }
};

// Two nodes, a and b, on one new database, and the notices each hears.
class PgRoutingStoreTest : public PgNodesTest {
 protected:
  void SetUp() override {
    PgNodesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    a = open_pg_node(*pg_, database_, clock_, metrics_);
    b = open_pg_node(*pg_, database_, clock_, metrics_);
    ASSERT_TRUE(a && b);
  }

  Notices to_a, to_b;  // before the nodes, which call them until they close
  std::unique_ptr<postgres::PostgresStore> a, b;
};

// Two nodes on one database: a provider one adds (by API or heartbeat),
// changes or removes, the other loads, as every node does at its start.
TEST_F(PgRoutingStoreTest, WhatOneNodeSavesAnotherLoads) {
  RoutingChanges added;
  added.put_providers = {provider("relay-1", "heartbeat")};
  added.put_settings = {{"strategy", R"("weighted")", R"("round_robin")", {}}};
  ASSERT_TRUE(test::await_completion<void>([&](auto done) { a->routing().save(added, done); }));
  auto seen = b->routing().load().value();
  ASSERT_EQ(seen.providers.size(), 1u);
  EXPECT_EQ(seen.providers[0].name, "relay-1");
  EXPECT_EQ(seen.providers[0].source, "heartbeat");
  ASSERT_EQ(seen.settings.size(), 1u);
  EXPECT_EQ(seen.settings[0].value, R"("weighted")");

  // Changed through the second, removed through the first.
  auto paused = provider("relay-1", "heartbeat");
  paused.admin = "paused";
  RoutingChanges changed;
  changed.put_providers = {paused};
  ASSERT_TRUE(test::await_completion<void>([&](auto done) { b->routing().save(changed, done); }));
  EXPECT_EQ(a->routing().load().value().providers.at(0).admin, "paused");
  RoutingChanges removed;
  removed.delete_providers = {"relay-1"};
  ASSERT_TRUE(test::await_completion<void>([&](auto done) { a->routing().save(removed, done); }));
  EXPECT_TRUE(b->routing().load().value().providers.empty());
}

TEST_F(PgRoutingStoreTest, EveryNodeIsToldOfACommittedChange) {
  a->routing().on_change(to_a.listener());
  b->routing().on_change(to_b.listener());

  RoutingChanges added;
  added.put_providers = {provider("relay-1", "heartbeat")};
  ASSERT_TRUE(test::await_completion<void>([&](auto done) { a->routing().save(added, done); }));
  ASSERT_TRUE(to_b.past(0));
  EXPECT_EQ(b->routing().load().value().providers.size(), 1u);
  EXPECT_TRUE(to_a.past(0));  // its own too: reloading it finds nothing new

  int seen = to_a.n;
  ASSERT_TRUE(test::await_completion<std::size_t>([&](auto done) { b->routing().clear(done); }));
  EXPECT_TRUE(to_a.past(seen));

  // A listening session cut (a lost connection) is made again, and the
  // node is told: it may have missed a notice meanwhile.
  seen = to_b.n;
  auto c = postgres::Connection::open(pg_->conninfo(database_));
  ASSERT_TRUE(c);
  ASSERT_TRUE(
      (*c)->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                  "application_name = 'postern-routing' AND datname = current_database()"));
  ASSERT_TRUE(to_b.past(seen));
  seen = to_b.n;
  ASSERT_TRUE(test::await_completion<void>([&](auto done) { a->routing().save(added, done); }));
  EXPECT_TRUE(to_b.past(seen));
}

}  // namespace
}  // namespace postern::store
