// Provider health per node (store/routing_store.h) on both backends: a
// node's write replaces its own rows only, stamped with the store's time,
// and survives a restart; rows of a node gone for a day are dropped. On
// PostgreSQL, two nodes writing at once each read both nodes' rows.
#include <gtest/gtest.h>

#include <thread>

#include "node_parts.h"
#include "store/routing_store.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;

ProviderHealthRow health(std::string provider, std::string state, std::string reason = "",
                         std::optional<std::int64_t> success_ppm = 990000) {
  ProviderHealthRow h;
  h.node = "ignored: the write's node counts";
  h.provider = std::move(provider);
  h.state = std::move(state);
  h.reason = std::move(reason);
  h.since = from_unix_ms(1'690'000'000'123);
  h.latency_us = 41250;
  h.success_ppm = success_ppm;
  return h;
}

Result<void> record_health(RoutingStore& store, const std::string& node,
                           std::vector<ProviderHealthRow> rows) {
  return test::await_completion<void>(
      [&](auto done) { store.record_provider_health(node, std::move(rows), done); });
}

class ProviderHealthTest : public AnyStoreFixture {
 protected:
  RoutingStore& routing() { return routing_of(*store_, backend_); }
  std::vector<ProviderHealthRow> rows() {
    auto r = routing().provider_health();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::vector<ProviderHealthRow>{};
  }
};

TEST_P(ProviderHealthTest, ANodesWriteReplacesItsOwnRowsOnlyAndSurvivesARestart) {
  EXPECT_TRUE(rows().empty());
  ASSERT_TRUE(record_health(
      routing(), "node-a",
      {health("sg", "ejected", "5 consecutive failures", std::nullopt), health("mg", "healthy")}));
  clock_.advance(2s);
  ASSERT_TRUE(record_health(routing(), "node-b", {health("mg", "unhealthy", "probe: refused")}));

  auto r = rows();  // by provider, then node
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].provider, "mg");
  EXPECT_EQ(r[0].node, "node-a");
  EXPECT_EQ(r[0].state, "healthy");
  EXPECT_EQ(r[0].since, from_unix_ms(1'690'000'000'123));
  EXPECT_EQ(r[0].latency_us, 41250);
  EXPECT_EQ(r[0].success_ppm, 990000);
  EXPECT_EQ(r[0].updated_at, clock_.now() - 2s);
  EXPECT_EQ(r[1].provider, "mg");
  EXPECT_EQ(r[1].node, "node-b");
  EXPECT_EQ(r[1].reason, "probe: refused");
  EXPECT_EQ(r[1].updated_at, clock_.now());
  EXPECT_EQ(r[2].provider, "sg");
  EXPECT_EQ(r[2].state, "ejected");
  EXPECT_EQ(r[2].reason, "5 consecutive failures");
  EXPECT_FALSE(r[2].success_ppm);

  // node-a no longer has sg: its row goes; node-b's rows stay.
  ASSERT_TRUE(record_health(routing(), "node-a", {health("mg", "half_open")}));
  open();  // a restart
  r = rows();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].node, "node-a");
  EXPECT_EQ(r[0].state, "half_open");
  EXPECT_EQ(r[1].node, "node-b");
  EXPECT_EQ(r[1].state, "unhealthy");
}

TEST_P(ProviderHealthTest, RowsOfANodeGoneForADayAreDropped) {
  ASSERT_TRUE(record_health(routing(), "node-b", {health("mg", "healthy")}));
  clock_.advance(std::chrono::duration_cast<std::chrono::milliseconds>(kProviderHealthKept) - 1s);
  ASSERT_TRUE(record_health(routing(), "node-a", {health("mg", "healthy")}));
  EXPECT_EQ(rows().size(), 2u);
  clock_.advance(2s);
  ASSERT_TRUE(record_health(routing(), "node-a", {health("mg", "healthy")}));
  auto r = rows();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].node, "node-a");
}

INSTANTIATE_TEST_SUITE_P(Backends, ProviderHealthTest,
                         ::testing::Values(Backend::sqlite, Backend::postgres));

// Two nodes on one database, each writing its own view again and again at
// the same time: neither's write disturbs the other's rows, and each node
// reads both.
class PgProviderHealthNodesTest : public PgNodesTest {};

TEST_F(PgProviderHealthNodesTest, TwoNodesWritingAtOnceEachReadBoth) {
  auto a = open_pg_node(*pg_, database_, clock_, metrics_);
  auto b = open_pg_node(*pg_, database_, clock_, metrics_);
  ASSERT_TRUE(a && b);
  auto writer = [](postgres::PostgresStore& s, const std::string& node, const std::string& state) {
    for (int i = 0; i < 50; ++i) {
      auto r =
          record_health(s.routing(), node,
                        {health("mg", state, "round " + std::to_string(i)), health("sg", state)});
      ASSERT_TRUE(r) << r.error().message();
    }
  };
  std::thread ta(writer, std::ref(*a), "node-a", "healthy");
  std::thread tb(writer, std::ref(*b), "node-b", "unhealthy");
  ta.join();
  tb.join();
  for (auto* s : {a.get(), b.get()}) {
    auto r = s->routing().provider_health();
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->size(), 4u);
    EXPECT_EQ((*r)[0].provider, "mg");
    EXPECT_EQ((*r)[0].node, "node-a");
    EXPECT_EQ((*r)[0].state, "healthy");
    EXPECT_EQ((*r)[0].reason, "round 49");
    EXPECT_EQ((*r)[1].node, "node-b");
    EXPECT_EQ((*r)[1].state, "unhealthy");
    EXPECT_EQ((*r)[3].provider, "sg");
    EXPECT_EQ((*r)[3].node, "node-b");
  }
}

}  // namespace
}  // namespace postern::store
