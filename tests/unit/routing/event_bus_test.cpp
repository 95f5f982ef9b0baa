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
  EventBus bus(clock, 1, 3);
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

TEST(EventIds, CarryTheBootAboveTheSequenceInFiftyThreeBits) {
  constexpr auto id = event_id(5, 42);
  static_assert(event_id_boot(id) == 5 && event_id_sequence(id) == 42);
  static_assert(event_id(5, kMaxEventSequence) < event_id(6, 1));
  static_assert(event_id(kMaxEventBoot, kMaxEventSequence) == (std::uint64_t{1} << 53) - 1);
  // The store's boot counter maps onto 1 .. kMaxEventBoot, then around.
  static_assert(event_boot_for(1) == 1 && event_boot_for(kMaxEventBoot) == kMaxEventBoot);
  static_assert(event_boot_for(kMaxEventBoot + 1) == 1);
  EXPECT_EQ(event_id_boot(id), 5u);
}

std::vector<std::uint64_t> ids_of(const EventBatch& batch) {
  std::vector<std::uint64_t> ids;
  for (const auto& e : batch.events) ids.push_back(e.id);
  return ids;
}

// A restarted node (the store numbered its start 8, the one before 7)
// gives out ids above its predecessor's even with the clock set back, and
// a client resuming with the last id it had before the restart is told
// that it may have missed events of the old boot, then gets all of the
// new boot's, its ids still increasing.
TEST(EventBus, AnIdOfAnEarlierBootReplaysThisBootAfterAReset) {
  test::FakeClock clock;
  std::uint64_t last_before = 0;
  {
    EventBus before(clock, 7);
    for (int i = 0; i < 1000; ++i) last_before = before.publish("e", {{"i", i}});
  }
  clock.advance(-1h);
  EventBus after(clock, 8);
  auto first = after.publish("provider_added", {{"provider", "b"}});
  auto second = after.publish("provider_state", {{"provider", "b"}});
  EXPECT_GT(first, last_before);
  EXPECT_EQ(first, event_id(8, 1));
  auto s = after.subscribe(last_before);
  Collector c;
  c.next(*s);
  ASSERT_EQ(c.batches.size(), 1u);
  const auto& got = c.batches[0].events;
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].type, "stream_reset");
  EXPECT_NE(got[0].data.find(R"("reason":"other_boot")"), std::string::npos);
  EXPECT_EQ(ids_of(c.batches[0]), (std::vector<std::uint64_t>{event_id(8, 0), first, second}));
  // Resuming from the reset's id (the start of the boot) replays the boot
  // without another reset.
  auto again = after.subscribe(got[0].id);
  Collector d;
  d.next(*again);
  ASSERT_EQ(d.batches.size(), 1u);
  EXPECT_EQ(ids_of(d.batches[0]), (std::vector<std::uint64_t>{first, second}));
}

// In a cluster each node has its own stream: an id from a node that
// started later (a higher boot) is not one of this node's either.
TEST(EventBus, AnIdOfAnotherNodeReplaysThisBootAfterAReset) {
  test::FakeClock clock;
  EventBus bus(clock, 3);
  auto first = bus.publish("e", {});
  auto s = bus.subscribe(event_id(4, 17));
  Collector c;
  c.next(*s);
  ASSERT_EQ(c.batches.size(), 1u);
  EXPECT_EQ(ids_of(c.batches[0]), (std::vector<std::uint64_t>{event_id(3, 0), first}));
  EXPECT_EQ(c.batches[0].events[0].type, "stream_reset");
  // So is an id of this boot that it has not given out yet.
  auto future = bus.subscribe(event_id(3, 2));
  Collector d;
  d.next(*future);
  ASSERT_EQ(d.batches.size(), 1u);
  EXPECT_EQ(d.batches[0].events[0].type, "stream_reset");
}

// Events of this boot that left the history: the client is told, and the
// reset's id is the position just before the oldest kept event.
TEST(EventBus, AGapInTheHistoryIsAnnounced) {
  test::FakeClock clock;
  EventBus bus(clock, 2, 3);
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(bus.publish("e", {{"i", i}}));
  auto s = bus.subscribe(ids[0]);
  Collector c;
  c.next(*s);
  ASSERT_EQ(c.batches.size(), 1u);
  EXPECT_EQ(ids_of(c.batches[0]), (std::vector<std::uint64_t>{ids[1], ids[2], ids[3], ids[4]}));
  EXPECT_EQ(c.batches[0].events[0].type, "stream_reset");
  EXPECT_NE(c.batches[0].events[0].data.find(R"("reason":"history_trimmed")"), std::string::npos);
  // Up to date: nothing to replay, no reset.
  auto live = bus.subscribe(ids[4]);
  Collector d;
  d.next(*live);
  EXPECT_TRUE(d.batches.empty());
}

TEST(EventBus, CloseAnswersAPendingNextAndASlowReaderIsDropped) {
  test::FakeClock clock;
  EventBus bus(clock, 1, 16, 4);
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
