#include "routing/event_bus.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/fake_clock.h"

namespace postern::routing {
namespace {

using namespace std::chrono_literals;

struct Collector {
  std::vector<EventBatch> batches;
  void next(Subscription& s) {
    s.next([this](EventBatch b) { batches.push_back(std::move(b)); });
  }
};

TEST(EventBus, DeliversToAWaitingSubscriberAndQueuesForABusyOne) {
  test::FakeClock clock;
  EventBus bus(clock);
  auto s = bus.subscribe();
  Collector c;
  c.next(*s);
  EXPECT_TRUE(c.batches.empty());
  auto id = bus.publish("provider_state", {{"provider", "a"}, {"state", "ejected"}});
  ASSERT_EQ(c.batches.size(), 1u);
  ASSERT_EQ(c.batches[0].events.size(), 1u);
  const auto& e = c.batches[0].events[0];
  EXPECT_EQ(e.id, id);
  EXPECT_EQ(e.type, "provider_state");
  EXPECT_NE(e.data.find(R"("provider":"a")"), std::string::npos);
  EXPECT_NE(e.data.find(R"("type":"provider_state")"), std::string::npos);
  EXPECT_NE(e.data.find(R"("at":"2023-)"), std::string::npos);
  // Not waiting: events queue up and come in one batch.
  bus.publish("x", {});
  bus.publish("y", {});
  c.next(*s);
  ASSERT_EQ(c.batches.size(), 2u);
  EXPECT_EQ(c.batches[1].events.size(), 2u);
}

TEST(EventBus, PingsAnIdleSubscriberEveryInterval) {
  test::FakeClock clock;
  EventBus bus(clock);
  auto s = bus.subscribe();
  Collector c;
  c.next(*s);
  clock.advance(14s);
  bus.keepalive(15s);
  EXPECT_TRUE(c.batches.empty());
  clock.advance(1s);
  bus.keepalive(15s);
  ASSERT_EQ(c.batches.size(), 1u);
  EXPECT_TRUE(c.batches[0].ping);
  c.next(*s);
  clock.advance(15s);
  bus.keepalive(15s);
  EXPECT_EQ(c.batches.size(), 2u);
}

TEST(EventBus, ReplaysHistoryAfterLastEventId) {
  test::FakeClock clock;
  EventBus bus(clock, 3);
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(bus.publish("e", {{"i", i}}));
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  auto s = bus.subscribe(ids[1]);  // history keeps the last three
  Collector c;
  c.next(*s);
  ASSERT_EQ(c.batches.size(), 1u);
  ASSERT_EQ(c.batches[0].events.size(), 3u);
  EXPECT_EQ(c.batches[0].events[0].id, ids[2]);
}

// A restarted node's bus gives out ids above its predecessor's, so a
// client that reconnects with the Last-Event-ID it had gets what the new
// node published meanwhile.
TEST(EventBus, IdsContinueAboveThoseOfTheBusBeforeARestart) {
  test::FakeClock clock;
  std::uint64_t last_before = 0;
  {
    EventBus before(clock);
    for (int i = 0; i < 1000; ++i) last_before = before.publish("e", {{"i", i}});
  }
  clock.advance(1s);
  EventBus after(clock);
  auto first_after = after.publish("provider_added", {{"provider", "b"}});
  EXPECT_GT(first_after, last_before);
  auto s = after.subscribe(last_before);
  Collector c;
  c.next(*s);
  ASSERT_EQ(c.batches.size(), 1u);
  ASSERT_EQ(c.batches[0].events.size(), 1u);
  EXPECT_EQ(c.batches[0].events[0].id, first_after);
}

TEST(EventBus, CloseAnswersAPendingNextAndASlowReaderIsDropped) {
  test::FakeClock clock;
  EventBus bus(clock, 16, 4);
  auto s = bus.subscribe();
  Collector c;
  c.next(*s);
  s->close();
  ASSERT_EQ(c.batches.size(), 1u);
  EXPECT_TRUE(c.batches[0].closed);
  auto slow = bus.subscribe();
  for (int i = 0; i < 5; ++i) bus.publish("e", {});
  Collector d;
  d.next(*slow);
  ASSERT_EQ(d.batches.size(), 1u);
  EXPECT_TRUE(d.batches[0].closed);  // it reconnects with Last-Event-ID
  bus.keepalive(1s);
  EXPECT_EQ(bus.subscribers(), 0u);
}

}  // namespace
}  // namespace postern::routing
