#include "store/retention.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite/sqlite_store.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

// The retention tests' calls, on the store of a fixture of either backend.
template <class Fixture>
class RetentionCalls : public Fixture {
 protected:
  MessageId enqueue(const std::string& subject) {
    NewMessage m;
    m.format = ContentFormat::mime;
    m.content = "Subject: " + subject + "\r\n\r\n" + std::string(3000, 'x') + "\r\n";
    m.envelope.sender = "a@x.org";
    m.envelope.recipients = {{"b@x.org", RecipientKind::to}};
    m.subject = subject;
    auto r = await_completion<EnqueueResult>(
        [&](auto done) { this->store_->enqueue(std::move(m), done); });
    EXPECT_TRUE(r);
    return r ? r->id : MessageId();
  }

  // Leases every queued message and ends each as `to` says.
  void end_all(const std::map<MessageId, MessageStatus>& to) {
    auto leased = await_completion<std::vector<LeasedMessage>>(
        [&](auto done) { this->store_->lease("w1", this->clock_.now(), 60s, 1000, done); });
    ASSERT_TRUE(leased);
    for (const auto& l : *leased) {
      auto next = to.at(l.id);
      AttemptRecord rec{l.id,
                        next,
                        this->clock_.now() + 60s,
                        "capture",
                        next == MessageStatus::sent ? "ok" : "transient",
                        "250",
                        "",
                        "",
                        1ms};
      ASSERT_TRUE(await_completion<void>(
          [&](auto done) { this->store_->record_attempt("w1", rec, done); }));
    }
  }

  Result<std::size_t> purge(SystemTime before, std::size_t limit) {
    return await_completion<std::size_t>(
        [&](auto done) { this->store_->purge_ended(before, limit, done); });
  }

  std::int64_t count(MessageStatus s) {
    return this->store_->count_by_status().value()[static_cast<int>(s)];
  }
};

class RetentionTest : public RetentionCalls<StoreFixture> {
 protected:
  std::vector<std::filesystem::path> segments() const {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_.file("postern.db-content")))
      out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
};

// The tests of what retention deletes, on both backends.
class Retention : public RetentionCalls<AnyStoreFixture> {};

INSTANTIATE_TEST_SUITE_P(Sqlite, Retention, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, Retention, ::testing::Values(Backend::postgres));

TEST_P(Retention, OnlyMessagesThatEndedBeforeTheCutOffAreDeleted) {
  auto sent = enqueue("sent");
  auto failed = enqueue("failed");
  auto cancelled = enqueue("cancelled");
  auto deferred = enqueue("deferred");
  auto queued_old = enqueue("queued");
  ASSERT_TRUE(await_completion<MessageStatus>([&](auto done) { store_->cancel(cancelled, done); }));
  ASSERT_TRUE(
      await_completion<MessageStatus>([&](auto done) { store_->cancel(queued_old, done); }));
  ASSERT_TRUE(await_completion<MessageStatus>([&](auto done) { store_->retry(queued_old, done); }));
  end_all({{sent, MessageStatus::sent},
           {failed, MessageStatus::failed},
           {deferred, MessageStatus::deferred},
           {queued_old, MessageStatus::sent}});
  clock_.advance(2h);
  auto recent = enqueue("recent");
  end_all({{recent, MessageStatus::sent},
           {deferred, MessageStatus::deferred}});  // deferred is due again
  // queued_old ended (sent) two hours ago too: created first, it goes.
  ASSERT_EQ(purge(clock_.now() - 1h, 100).value(), 4u);

  for (auto gone : {sent, failed, cancelled, queued_old}) {
    EXPECT_EQ(store_->get_message(gone).error(), Errc::not_found) << gone.to_string();
    EXPECT_EQ(store_->get_content(gone).error(), Errc::not_found);
  }
  EXPECT_EQ(store_->get_message(deferred).value().summary.status, MessageStatus::deferred);
  EXPECT_EQ(store_->get_message(recent).value().summary.status, MessageStatus::sent);
  EXPECT_TRUE(store_->get_content(recent));
  EXPECT_EQ(count(MessageStatus::sent), 1);
  EXPECT_EQ(count(MessageStatus::failed), 0);
  EXPECT_EQ(count(MessageStatus::cancelled), 0);
  EXPECT_EQ(count(MessageStatus::deferred), 1);
  EXPECT_EQ(purge(clock_.now() - 1h, 100).value(), 0u);
}

TEST_P(Retention, AMessageThatEndedRecentlyIsKeptHoweverOldItIs) {
  auto old = enqueue("old");
  clock_.advance(3h);  // waited in the queue for three hours
  end_all({{old, MessageStatus::sent}});
  EXPECT_EQ(purge(clock_.now() - 1h, 100).value(), 0u);
  clock_.advance(2h);
  EXPECT_EQ(purge(clock_.now() - 1h, 100).value(), 1u);
}

TEST_P(Retention, PurgesInBatchesOfTheLimit) {
  std::map<MessageId, MessageStatus> ends;
  for (int i = 0; i < 5; ++i) ends[enqueue("m" + std::to_string(i))] = MessageStatus::sent;
  end_all(ends);
  clock_.advance(2h);
  EXPECT_EQ(purge(clock_.now() - 1h, 2).value(), 2u);
  EXPECT_EQ(purge(clock_.now() - 1h, 2).value(), 2u);
  EXPECT_EQ(purge(clock_.now() - 1h, 2).value(), 1u);
  EXPECT_EQ(count(MessageStatus::sent), 0);
}

// Each opening of the store writes a segment of its own; once no message
// refers to an older segment, the sweep removes its file. The segment being
// written is kept, and content still referred to stays readable.
TEST_F(RetentionTest, SweepRemovesSegmentsNoMessageRefersTo) {
  // Without compaction, which would move `kept` out of its sparse segment
  // (content_compaction_test.cpp).
  sqlite::SqliteOptions no_compaction;
  no_compaction.compact_below = 0;
  open(no_compaction);
  std::map<MessageId, MessageStatus> first;
  for (int i = 0; i < 3; ++i)
    first[enqueue("first run " + std::to_string(i))] = MessageStatus::sent;
  end_all(first);
  auto kept = enqueue("still queued");  // keeps the first segment alive
  open(no_compaction);
  auto second_run = enqueue("second run");
  ASSERT_EQ(segments().size(), 2u);
  clock_.advance(2h);

  RetentionSweeper sweeper(*store_, clock_, metrics_, {1h, 1s, 2});
  auto swept = sweeper.sweep();
  ASSERT_TRUE(swept) << swept.error().message();
  EXPECT_EQ(swept->purged, 3u);
  EXPECT_EQ(swept->bytes_freed, 0u);  // `kept` still lies in the first segment
  EXPECT_EQ(segments().size(), 2u);

  end_all({{kept, MessageStatus::failed}, {second_run, MessageStatus::sent}});
  clock_.advance(2h);
  auto third_run = enqueue("after the sweep");
  swept = sweeper.sweep();
  ASSERT_TRUE(swept);
  EXPECT_EQ(swept->purged, 2u);
  EXPECT_GT(swept->bytes_freed, 4 * 3000u);
  ASSERT_EQ(segments().size(), 1u);  // the one being written
  EXPECT_TRUE(store_->get_content(third_run));
  auto metrics = metrics_.render();
  EXPECT_NE(metrics.find("postern_store_purged_messages_total 5"), std::string::npos) << metrics;
}

// Segments written by earlier runs are closed: a restarted store frees them
// at its first sweep, before it has written anything itself.
TEST_F(RetentionTest, ARestartedStoreFreesTheSegmentsOfEarlierRuns) {
  std::map<MessageId, MessageStatus> ends;
  for (int i = 0; i < 3; ++i)
    ends[enqueue("earlier run " + std::to_string(i))] = MessageStatus::sent;
  end_all(ends);
  open();
  clock_.advance(2h);
  RetentionSweeper sweeper(*store_, clock_, metrics_, {1h, 1s, 10});
  auto swept = sweeper.sweep();
  ASSERT_TRUE(swept) << swept.error().message();
  EXPECT_EQ(swept->purged, 3u);
  EXPECT_GT(swept->bytes_freed, 3 * 3000u);
  EXPECT_TRUE(segments().empty());
  auto next = enqueue("after the restart");
  EXPECT_TRUE(store_->get_content(next));
  ASSERT_EQ(segments().size(), 1u);
}

TEST_P(Retention, TheIdempotencyKeyOfADeletedMessageServesANewOne) {
  auto with_key = [&](const std::string& hash) {
    NewMessage m;
    m.format = ContentFormat::json;
    m.content = "{}";
    m.envelope.sender = "a@x.org";
    m.envelope.recipients = {{"b@x.org", RecipientKind::to}};
    m.idempotency_key = "order-42";
    m.request_hash = hash;
    return await_completion<EnqueueResult>([&](auto done) { store_->enqueue(std::move(m), done); });
  };
  auto first = with_key("h1");
  ASSERT_TRUE(first);
  end_all({{first->id, MessageStatus::sent}});
  clock_.advance(2h);
  ASSERT_EQ(purge(clock_.now() - 1h, 10).value(), 1u);
  auto second = with_key("h2");
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_FALSE(second->replayed);
  EXPECT_NE(second->id, first->id);
  auto again = with_key("h2");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, second->id);
}

// The webhook log is kept as long as ended messages (docs/events.md
// "Webhooks out: storage"): the sweep deletes ended deliveries in batches,
// and leaves pending ones.
TEST_F(RetentionTest, SweepDeletesTheWebhookDeliveriesThatEndedBeforeTheCutOff) {
  auto& webhooks = static_cast<sqlite::SqliteStore&>(*store_).webhooks();
  WebhookEndpoint ep;
  ep.id = "ep_1";
  ASSERT_TRUE(await_completion<void>([&](auto done) { webhooks.create_endpoint(ep, done); }));
  for (int i = 0; i < 5; ++i) enqueue("m" + std::to_string(i));
  ASSERT_EQ(await_completion<std::size_t>([&](auto done) {
              webhooks.fan_out("ep_1", clock_.now(), 100, done);
            }).value(),
            5u);
  auto log = webhooks.deliveries("ep_1", 0, 100).value();
  for (std::size_t i = 1; i < log.size(); ++i) {  // the newest stays pending
    WebhookAttempt a{log[i].id, clock_.now(), i % 2 == 0, 200, "", {}, std::nullopt};
    ASSERT_TRUE(
        await_completion<void>([&](auto done) { webhooks.record_delivery_attempt(a, done); }));
  }
  clock_.advance(2h);

  RetentionSweeper sweeper(*store_, clock_, metrics_, {1h, 1s, 3});
  sweeper.purge_webhooks_with(webhooks);
  auto swept = sweeper.sweep();
  ASSERT_TRUE(swept) << swept.error().message();
  EXPECT_EQ(swept->webhook_deliveries, 4u);
  auto left = webhooks.deliveries("ep_1", 0, 100).value();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, log[0].id);
  EXPECT_EQ(left[0].state, WebhookDeliveryState::pending);
  auto metrics = metrics_.render();
  EXPECT_NE(metrics.find("postern_store_purged_webhook_deliveries_total 4"), std::string::npos)
      << metrics;
}

TEST(RetentionIntervalTest, ATenthOfTheRetentionWithinBounds) {
  EXPECT_EQ(retention_interval(std::chrono::hours(24 * 30)), std::chrono::minutes(10));
  EXPECT_EQ(retention_interval(std::chrono::minutes(50)), std::chrono::minutes(5));
  EXPECT_EQ(retention_interval(std::chrono::seconds(2)), std::chrono::seconds(1));
}

}  // namespace
}  // namespace postern::store
