// Provider health per node (routing/health_share.h) against a store in
// memory on a fake clock: what a node writes and when (changes at once,
// otherwise once a period), two nodes' rows side by side, a gone node's
// rows marked stale, a failed write tried again, reads answered from the
// last one for a second.
#include "routing/health_share.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "support/memory_routing_store.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;

constexpr auto kPeriod = 10s;

ProviderView provider(const std::string& name, ProviderState state = ProviderState::healthy,
                      const std::string& reason = "") {
  ProviderView v;
  v.name = name;
  v.state = state;
  v.reason = reason;
  v.since = from_unix_ms(1'600'000'000'000);
  v.latency_ms = 12.5;
  v.success_rate = 0.75;
  return v;
}

class HealthShareTest : public ::testing::Test {
 protected:
  test::FakeClock clock_;
  test::MemoryRoutingStore store_{&clock_};
  HealthShare a_{store_, "node-a", clock_, kPeriod};
};

TEST_F(HealthShareTest, WritesAtOnceOnAChangeAndOtherwiseOnceAPeriod) {
  a_.update({provider("mg"), provider("sg")});
  EXPECT_EQ(store_.health_writes, 1);
  clock_.advance(1s);
  a_.update({provider("mg"), provider("sg")});
  EXPECT_EQ(store_.health_writes, 1);  // nothing changed

  a_.update({provider("mg", ProviderState::ejected, "5 consecutive failures"), provider("sg")});
  EXPECT_EQ(store_.health_writes, 2);
  auto rows = store_.provider_health().value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].provider, "mg");
  EXPECT_EQ(rows[0].node, "node-a");
  EXPECT_EQ(rows[0].state, "ejected");
  EXPECT_EQ(rows[0].reason, "5 consecutive failures");
  EXPECT_EQ(rows[0].latency_us, 12500);
  EXPECT_EQ(rows[0].success_ppm, 750000);

  clock_.advance(9s);
  a_.update({provider("mg", ProviderState::ejected, "5 consecutive failures"), provider("sg")});
  EXPECT_EQ(store_.health_writes, 2);
  clock_.advance(1s);  // a period since the last write: written again, fresh
  a_.update({provider("mg", ProviderState::ejected, "5 consecutive failures"), provider("sg")});
  EXPECT_EQ(store_.health_writes, 3);
  EXPECT_EQ(store_.provider_health().value()[0].updated_at, clock_.now());

  // A provider removed loses its row.
  a_.update({provider("sg")});
  EXPECT_EQ(store_.health_writes, 4);
  rows = store_.provider_health().value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].provider, "sg");
}

TEST_F(HealthShareTest, ReadShowsEveryNodeAndMarksAGoneNodesRowsStale) {
  HealthShare b(store_, "node-b", clock_, kPeriod);
  a_.update({provider("mg")});
  b.update({provider("mg", ProviderState::unhealthy, "probe: connection refused")});
  auto seen = a_.read();
  ASSERT_TRUE(seen) << seen.error().message();
  ASSERT_EQ(seen->size(), 1u);
  const auto& mg = seen->at("mg");
  ASSERT_EQ(mg.size(), 2u);
  EXPECT_EQ(mg[0].node, "node-a");
  EXPECT_EQ(mg[0].state, "healthy");
  EXPECT_FALSE(mg[0].stale);
  EXPECT_EQ(mg[0].latency_ms, 12.5);
  EXPECT_EQ(mg[0].success_rate, 0.75);
  EXPECT_EQ(mg[1].node, "node-b");
  EXPECT_EQ(mg[1].state, "unhealthy");
  EXPECT_EQ(mg[1].reason, "probe: connection refused");

  // node-b stops writing; node-a goes on. Stale only past three periods.
  for (int i = 0; i < 3; ++i) {
    clock_.advance(kPeriod);
    a_.update({provider("mg")});
  }
  EXPECT_FALSE(a_.read()->at("mg")[1].stale);
  clock_.advance(1s);
  a_.update({provider("mg")});
  auto later = a_.read()->at("mg");
  EXPECT_FALSE(later[0].stale);
  EXPECT_TRUE(later[1].stale);
}

TEST_F(HealthShareTest, ReadsReuseTheLastStoreReadForASecondUnlessThisNodeWrote) {
  HealthShare b(store_, "node-b", clock_, kPeriod);
  a_.update({provider("mg")});
  b.update({provider("mg")});
  const int before = store_.health_reads;
  ASSERT_TRUE(a_.read());
  EXPECT_EQ(store_.health_reads, before + 1);
  for (int i = 0; i < 9; ++i) {  // a client polling ten times a second
    clock_.advance(100ms);
    EXPECT_EQ(a_.read()->at("mg").size(), 2u);
  }
  EXPECT_EQ(store_.health_reads, before + 1);

  // Another node's change shows once the second is over.
  b.update({provider("mg", ProviderState::ejected, "5 consecutive failures")});
  EXPECT_EQ(a_.read()->at("mg")[1].state, "healthy");
  clock_.advance(100ms);
  EXPECT_EQ(a_.read()->at("mg")[1].state, "ejected");
  EXPECT_EQ(store_.health_reads, before + 2);

  // This node's own write shows at once.
  a_.update({provider("mg", ProviderState::unhealthy, "probe: timeout")});
  EXPECT_EQ(a_.read()->at("mg")[0].state, "unhealthy");
  EXPECT_EQ(store_.health_reads, before + 3);

  // A failed read is not kept: the next one goes to the store.
  store_.fail_reads = true;
  clock_.advance(1s);
  EXPECT_FALSE(a_.read());
  store_.fail_reads = false;
  EXPECT_TRUE(a_.read());
  EXPECT_EQ(store_.health_reads, before + 5);
}

TEST_F(HealthShareTest, StaleIsJudgedAtEachReadOfRowsReused) {
  // A period short enough for a row to go stale while a read is reused.
  constexpr auto kShort = 100ms;
  HealthShare a(store_, "node-a", clock_, kShort);
  HealthShare b(store_, "node-b", clock_, kShort);
  b.update({provider("mg")});
  EXPECT_FALSE(a.read()->at("mg")[0].stale);
  clock_.advance(kHealthStalePeriods * kShort + 1ms);
  const int reads = store_.health_reads;
  EXPECT_TRUE(a.read()->at("mg")[0].stale);
  EXPECT_EQ(store_.health_reads, reads);  // the same rows, judged now
}

TEST_F(HealthShareTest, AFailedWriteIsTriedAgainAtTheNextUpdate) {
  store_.fail = true;
  a_.update({provider("mg")});
  EXPECT_TRUE(store_.provider_health().value().empty());
  store_.fail = false;
  a_.update({provider("mg")});
  EXPECT_EQ(store_.health_writes, 1);
  EXPECT_EQ(store_.provider_health().value().size(), 1u);
}

}  // namespace
}  // namespace postern::routing
