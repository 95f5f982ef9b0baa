#include "stats/live_feed.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "routing/event_bus.h"
#include "support/fake_clock.h"

namespace postern::stats {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

struct Published {
  std::vector<std::pair<std::string, json::object>> events;
  LiveFeed::Publish publish() {
    return
        [this](std::string_view type, json::object o) { events.emplace_back(type, std::move(o)); };
  }
  std::vector<json::object> of(std::string_view type) const {
    std::vector<json::object> out;
    for (const auto& [t, o] : events)
      if (t == type) out.push_back(o);
    return out;
  }
};

LiveFeed::QueueCounts queue_of(std::vector<std::int64_t> counts) {
  return [counts] { return Result<std::vector<std::int64_t>>(counts); };
}

TEST(LiveFeed, PublishesTheSecondsFiguresEveryRound) {
  test::FakeClock clock;
  TrafficStats traffic(clock);
  Published out;
  LiveFeed feed(traffic, queue_of({4, 1, 90, 2, 3, 0, 0}), out.publish());
  traffic.record_intake(2);
  traffic.record_attempt({"a", true, 10ms, MessageStatus::sent});
  feed.flush();
  auto stats = out.of("stats");
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].at("queue").at("queued").as_int64(), 4);
  EXPECT_EQ(stats[0].at("queue").at("deferred").as_int64(), 2);
  EXPECT_EQ(stats[0].at("bucket_seconds").as_int64(), 10);
  const auto& bucket = stats[0].at("bucket").as_object();
  EXPECT_EQ(bucket.at("accepted").as_uint64(), 2u);
  EXPECT_EQ(bucket.at("providers").at("a").at("attempts").as_uint64(), 1u);
  EXPECT_EQ(bucket.at("providers").at("a").at("share").as_double(), 1.0);
  // Nothing else happened: no message or inbox event.
  EXPECT_EQ(out.events.size(), 1u);
  feed.flush();
  EXPECT_EQ(out.of("stats").size(), 2u);
}

TEST(LiveFeed, BatchesStatusChangesKeepingTheNewestOfEachAndCountsWhatItLeavesOut) {
  test::FakeClock clock;
  TrafficStats traffic(clock);
  Published out;
  LiveFeed feed(traffic, queue_of({}), out.publish(), {.max_messages = 3, .max_accounts = 1});
  // A node at full rate: many changes, one event per round.
  for (std::uint64_t i = 1; i <= 1000; ++i)
    feed.message_changed(MessageId(i), MessageStatus::deferred);
  feed.message_changed(MessageId(2), MessageStatus::sent);
  feed.mail_caught("alice");
  feed.mail_caught("alice");
  feed.mail_caught("bob");
  feed.flush();
  auto batches = out.of("message_status");
  ASSERT_EQ(batches.size(), 1u);
  const auto& list = batches[0].at("messages").as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[1].at("id").as_string(), MessageId(2).to_string());
  EXPECT_EQ(list[1].at("status").as_string(), "sent");
  EXPECT_EQ(batches[0].at("left_out").as_uint64(), 997u);
  auto inbox = out.of("inbox_mail");
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].at("accounts").at("alice").as_uint64(), 2u);
  EXPECT_EQ(inbox[0].at("left_out").as_uint64(), 1u);
  // The next round starts afresh.
  out.events.clear();
  feed.flush();
  EXPECT_TRUE(out.of("message_status").empty());
  EXPECT_TRUE(out.of("inbox_mail").empty());
}

TEST(LiveFeed, RunsOnItsOwnTimerUntilStopped) {
  test::FakeClock clock;
  TrafficStats traffic(clock);
  std::mutex mu;
  std::condition_variable cv;
  int rounds = 0;
  LiveFeed feed(traffic, queue_of({}),
                [&](std::string_view, json::object) {
                  std::lock_guard lock(mu);
                  ++rounds;
                  cv.notify_all();
                },
                {.interval = 10ms});
  feed.start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return rounds >= 3; }));
  }
  feed.stop();
}

// Live events reach the subscribers of the moment that asked for their
// type, without an id, and are neither kept nor replayed: they use up no
// ids of the routing events.
TEST(LiveEvents, HaveNoIdAndAreNotReplayed) {
  test::FakeClock clock;
  routing::EventBus bus(clock);
  auto first = bus.publish("provider_state", {{"provider", "a"}});
  auto s = bus.subscribe(std::nullopt, {"stats"});
  auto routing_only = bus.subscribe();
  std::vector<routing::Event> seen;
  s->next([&](routing::EventBatch b) { seen = b.events; });
  bool told = false;
  routing_only->next([&](routing::EventBatch) { told = true; });
  bus.publish_live("message_status", {});  // not asked for
  EXPECT_TRUE(seen.empty());
  bus.publish_live("stats", {{"queue", json::object{}}});
  EXPECT_FALSE(told);  // only those that asked get live events
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].id, 0u);
  EXPECT_EQ(seen[0].type, "stats");
  EXPECT_EQ(seen[0].data.find("\"id\""), std::string::npos);
  auto second = bus.publish("provider_state", {{"provider", "b"}});
  EXPECT_EQ(second, first + 1);
  auto late = bus.subscribe(first);
  std::vector<routing::Event> replayed;
  late->next([&](routing::EventBatch b) { replayed = b.events; });
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].id, second);
}

}  // namespace
}  // namespace postern::stats
