#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "core/crc32c.h"
#include "store/migrations/sqlite_migrations.h"
#include "store/sqlite/database.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

class SqliteStoreTest : public StoreFixture {
 protected:
  NewMessage message(const std::string& subject, const std::string& key = "",
                     const std::string& hash = "") {
    NewMessage m;
    m.format = ContentFormat::json;
    m.content = R"({"from":"a@x.org","to":"b@x.org","text":")" + subject + "\"}";
    m.envelope.sender = "a@x.org";
    m.envelope.recipients = {{"b@x.org", RecipientKind::to}, {"c@x.org", RecipientKind::bcc}};
    m.subject = subject;
    m.tags = {"t1", "t2"};
    m.source = "http";
    m.idempotency_key = key;
    m.request_hash = hash;
    return m;
  }

  Result<EnqueueResult> enqueue(NewMessage m) {
    return await_completion<EnqueueResult>([&](auto done) { store_->enqueue(std::move(m), done); });
  }

  std::vector<LeasedMessage> lease(std::size_t limit, const std::string& owner = "w1") {
    auto r = await_completion<std::vector<LeasedMessage>>(
        [&](auto done) { store_->lease(owner, clock_.now(), 60s, limit, done); });
    EXPECT_TRUE(r);
    return r ? *r : std::vector<LeasedMessage>{};
  }

  Result<void> record(const AttemptRecord& rec, const std::string& owner = "w1") {
    return await_completion<void>([&](auto done) { store_->record_attempt(owner, rec, done); });
  }

  std::vector<std::int64_t> counts() { return store_->count_by_status().value(); }

  // Every page of `f`, in order: the ids, newest first.
  std::vector<MessageId> all_pages(ListFilter f) {
    std::vector<MessageId> seen;
    for (;;) {
      auto page = store_->list_messages(f);
      EXPECT_TRUE(page);
      if (!page) break;
      for (auto& m : *page) seen.push_back(m.id);
      if (page->size() < f.limit) break;
      f.before = page->back().id;
    }
    return seen;
  }
};

TEST_F(SqliteStoreTest, EnqueuedMessageIsReadableWithItsTimeline) {
  auto r = enqueue(message("hello"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, MessageStatus::queued);
  EXPECT_FALSE(r->replayed);
  auto d = store_->get_message(r->id);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->summary.subject, "hello");
  EXPECT_EQ(d->summary.sender, "a@x.org");
  ASSERT_EQ(d->summary.recipients.size(), 2u);
  EXPECT_EQ(d->summary.recipients[1].kind, RecipientKind::bcc);
  EXPECT_EQ(d->summary.tags, (std::vector<std::string>{"t1", "t2"}));
  ASSERT_EQ(d->events.size(), 1u);
  EXPECT_EQ(d->events[0].type, "accepted");
  auto content = store_->get_content(r->id);
  ASSERT_TRUE(content);
  EXPECT_NE(content->second.find("hello"), std::string::npos);
  EXPECT_EQ(store_->get_message(MessageId(12345)).error(), Errc::not_found);
}

TEST_F(SqliteStoreTest, MessagesSurviveReopen) {
  auto r = enqueue(message("durable"));
  ASSERT_TRUE(r);
  open();
  auto d = store_->get_message(r->id);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->summary.subject, "durable");
  EXPECT_EQ(counts()[0], 1);
  // The content is in a segment of the previous opening; this one writes a new one.
  EXPECT_EQ(store_->get_content(r->id).value().second, message("durable").content);
  auto again = enqueue(message("after reopening"));
  ASSERT_TRUE(again);
  EXPECT_EQ(store_->get_content(again->id).value().second, message("after reopening").content);
}

TEST_F(SqliteStoreTest, IdempotencyKeyReplaysOrConflicts) {
  auto first = enqueue(message("one", "key-1", "hash-a"));
  ASSERT_TRUE(first);
  auto again = enqueue(message("one", "key-1", "hash-a"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, first->id);
  auto other = enqueue(message("two", "key-1", "hash-b"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error(), Errc::conflict);
  EXPECT_EQ(counts()[0], 1);
}

TEST_F(SqliteStoreTest, ListPaginatesNewestFirstAndFilters) {
  std::vector<MessageId> ids;
  for (int i = 0; i < 25; ++i) {
    clock_.advance(1ms);
    ids.push_back(enqueue(message("m" + std::to_string(i)))->id);
  }
  ListFilter f;
  f.limit = 10;
  auto seen = all_pages(f);
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), ids.back());
  EXPECT_EQ(seen.back(), ids.front());

  ListFilter by_time;
  by_time.since = ids[10].timestamp();
  by_time.until = ids[15].timestamp();
  auto window = store_->list_messages(by_time);
  ASSERT_TRUE(window);
  EXPECT_EQ(window->size(), 5u);

  ListFilter sent;
  sent.status = MessageStatus::sent;
  EXPECT_TRUE(store_->list_messages(sent)->empty());
}

// The test account a message is caught for (docs/inbox.md "How mail is
// caught") is kept with it, and every lease, a retry's too, carries it.
TEST_F(SqliteStoreTest, ACatchAccountComesBackWithEveryLease) {
  auto caught = message("caught");
  caught.catch_account = 42;
  auto id = enqueue(caught)->id;
  clock_.advance(1ms);
  enqueue(message("ordinary"));
  auto leased = lease(10);
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(leased[0].id, id);
  EXPECT_EQ(leased[0].catch_account, 42);
  EXPECT_EQ(leased[1].catch_account, 0);
  AttemptRecord later{id, MessageStatus::deferred, clock_.now(), "capture", "transient", "x"};
  ASSERT_TRUE(record(later));
  auto again = lease(10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].catch_account, 42);
}

// Queued messages have no entry in messages_by_status: a shallow queue is
// listed from its own index, a deep one by reading rows newest first, and
// both give the same pages; other statuses list through messages_by_status.
TEST_F(SqliteStoreTest, QueuedMessagesListTheSameFromAShallowOrADeepQueue) {
  std::vector<MessageId> ids;
  for (int i = 0; i < 7; ++i) {
    clock_.advance(1ms);
    ids.push_back(enqueue(message("m" + std::to_string(i)))->id);
  }
  auto leased = lease(2);  // the two oldest
  ASSERT_EQ(leased.size(), 2u);
  AttemptRecord sent{leased[0].id, MessageStatus::sent, {}, "capture", "ok", "250", "", "", 1ms};
  ASSERT_TRUE(record(sent));
  const std::vector<MessageId> queued_newest_first(ids.rbegin(), ids.rend() - 2);

  auto list = [&](MessageStatus status) {
    ListFilter f;
    f.status = status;
    f.limit = 2;
    return all_pages(f);
  };
  EXPECT_EQ(list(MessageStatus::queued), queued_newest_first);
  EXPECT_EQ(list(MessageStatus::sent), std::vector<MessageId>{leased[0].id});
  EXPECT_EQ(list(MessageStatus::sending), std::vector<MessageId>{leased[1].id});

  open(sqlite::SqliteOptions{.deep_queue = 2});  // 5 queued: a deep queue now
  EXPECT_EQ(list(MessageStatus::queued), queued_newest_first);
  EXPECT_EQ(list(MessageStatus::sent), std::vector<MessageId>{leased[0].id});
}

TEST_F(SqliteStoreTest, LeaseSendAndDeferMoveStatusesAndCounts) {
  auto a = enqueue(message("a"))->id;
  auto b = enqueue(message("b"))->id;
  auto leased = lease(10);
  ASSERT_EQ(leased.size(), 2u);
  EXPECT_EQ(leased[0].envelope.recipients.size(), 2u);
  EXPECT_TRUE(lease(10).empty());  // nothing left to lease
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::sending)], 2);

  AttemptRecord sent{a, MessageStatus::sent, {}, "capture", "ok", "250", "", "pid-1", 1500us};
  ASSERT_TRUE(record(sent));
  AttemptRecord deferred{
      b, MessageStatus::deferred, clock_.now() + 30s, "mg", "transient", "503", "busy", "", 2ms};
  ASSERT_TRUE(record(deferred));
  EXPECT_EQ(record(sent).error(), Errc::not_found);  // not leased any more

  auto da = store_->get_message(a).value();
  EXPECT_EQ(da.summary.status, MessageStatus::sent);
  EXPECT_EQ(da.summary.provider_message_id, "pid-1");
  ASSERT_EQ(da.events.size(), 2u);
  EXPECT_EQ(da.events[1].type, "sent");
  EXPECT_EQ(da.events[1].latency, 1500us);

  EXPECT_TRUE(lease(10).empty());  // b is not due yet
  clock_.advance(31s);
  auto again = lease(10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, b);
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(again[0].last_provider, "mg");

  auto c = counts();
  EXPECT_EQ(c[static_cast<int>(MessageStatus::sent)], 1);
  EXPECT_EQ(c[static_cast<int>(MessageStatus::sending)], 1);
  EXPECT_EQ(c[static_cast<int>(MessageStatus::queued)], 0);
  EXPECT_EQ(c[static_cast<int>(MessageStatus::deferred)], 0);
}

// Content lies in the content log beside the database; bytes a failing disk
// (or a power cut, for a message never acknowledged) changed fail their
// checksum. Such a message fails with the reason in its timeline, and the
// queue behind it moves on.
TEST_F(SqliteStoreTest, UnreadableContentFailsItsMessageAndTheQueueMovesOn) {
  auto bad = enqueue(message("damaged"))->id;
  auto good = enqueue(message("intact"))->id;
  auto segments = std::filesystem::directory_iterator(dir_.file("postern.db-content"));
  auto segment = segments->path();
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);  // inside the first message's content
    f.put('#');
  }
  EXPECT_EQ(store_->get_content(bad).error(), Errc::corrupt);
  EXPECT_TRUE(store_->get_content(good));

  auto leased = lease(10);
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, good);
  auto detail = store_->get_message(bad).value();
  EXPECT_EQ(detail.summary.status, MessageStatus::failed);
  ASSERT_EQ(detail.events.size(), 2u);
  EXPECT_EQ(detail.events[1].code, "content_unreadable");
  auto c = counts();
  EXPECT_EQ(c[static_cast<int>(MessageStatus::failed)], 1);
  EXPECT_EQ(c[static_cast<int>(MessageStatus::sending)], 1);
  EXPECT_EQ(c[static_cast<int>(MessageStatus::queued)], 0);
}

// Content is written to its segment at commit; a lease that the writer
// takes in the same transaction as the enqueue must still read it.
TEST_F(SqliteStoreTest, ALeaseInTheEnqueuesOwnBatchReadsItsContent) {
  for (int round = 0; round < 20; ++round) {
    std::promise<Result<EnqueueResult>> enqueued;
    std::promise<Result<std::vector<LeasedMessage>>> leased;
    auto m = message("same batch " + std::to_string(round));
    auto content = m.content;
    store_->enqueue(std::move(m),
                    [&](Result<EnqueueResult> r) { enqueued.set_value(std::move(r)); });
    store_->lease("w1", clock_.now(), 60s, 10, [&](auto r) { leased.set_value(std::move(r)); });
    auto id = enqueued.get_future().get().value().id;
    auto got = leased.get_future().get().value();
    if (got.empty()) got = lease(10);  // the lease ran first: take it now
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].id, id);
    EXPECT_EQ(got[0].content, content);
    EXPECT_EQ(store_->get_message(id).value().summary.status, MessageStatus::sending);
  }
}

TEST_F(SqliteStoreTest, ExpiredLeasesComeBack) {
  auto id = enqueue(message("x"))->id;
  ASSERT_EQ(lease(5).size(), 1u);
  auto none = await_completion<std::size_t>(
      [&](auto done) { store_->reclaim_leases(clock_.now(), clock_.now(), done); });
  EXPECT_EQ(*none, 0u);
  clock_.advance(61s);
  auto n = await_completion<std::size_t>(
      [&](auto done) { store_->reclaim_leases(clock_.now(), clock_.now(), done); });
  EXPECT_EQ(*n, 1u);
  auto d = store_->get_message(id).value();
  EXPECT_EQ(d.summary.status, MessageStatus::queued);
  EXPECT_EQ(d.events.back().type, "reclaimed");
  // The old owner lost it; a new lease takes it.
  AttemptRecord late{id, MessageStatus::sent, {}, "p", "ok", "", "", "", 0us};
  EXPECT_EQ(record(late).error(), Errc::not_found);
  EXPECT_EQ(lease(5, "w2").size(), 1u);
}

TEST_F(SqliteStoreTest, ReclaimingEveryLeaseAtStartMakesThemDueNow) {
  auto id = enqueue(message("x"))->id;
  ASSERT_EQ(lease(5).size(), 1u);
  auto n = await_completion<std::size_t>(
      [&](auto done) { store_->reclaim_leases(SystemTime::max(), clock_.now(), done); });
  EXPECT_EQ(*n, 1u);
  auto again = lease(5, "restarted");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, id);
}

TEST_F(SqliteStoreTest, CancelAndRetry) {
  auto id = enqueue(message("x"))->id;
  auto c = await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); });
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, MessageStatus::cancelled);
  auto again = await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); });
  EXPECT_EQ(again.error(), Errc::conflict);
  auto r = await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, MessageStatus::queued);
  auto twice = await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); });
  EXPECT_EQ(twice.error(), Errc::conflict);
  auto unknown =
      await_completion<MessageStatus>([&](auto done) { store_->cancel(MessageId(1), done); });
  EXPECT_EQ(unknown.error(), Errc::not_found);
  auto cnt = counts();
  EXPECT_EQ(cnt[0], 1);
  EXPECT_EQ(cnt[static_cast<int>(MessageStatus::cancelled)], 0);
  auto events = store_->get_message(id)->events;
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].type, "cancelled");
  EXPECT_EQ(events[2].type, "retried");
}

// An operator's way out for mail the gateway could not decode: cancel it,
// so that retention deletes it and its content, or retry it once a fixed
// version can read it.
TEST_F(SqliteStoreTest, QuarantinedMailCanBeCancelledOrRetried) {
  auto quarantine = [&](MessageId id) {
    auto leased = lease(1);
    ASSERT_EQ(leased.size(), 1u);
    ASSERT_EQ(leased[0].id, id);
    AttemptRecord corrupt{
        id, MessageStatus::quarantined, {}, "", "permanent", "corrupt_message", "", "", 0us};
    ASSERT_TRUE(record(corrupt));
    ASSERT_EQ(store_->get_message(id)->summary.status, MessageStatus::quarantined);
  };
  auto cancelled = enqueue(message("cancel me"))->id;
  quarantine(cancelled);
  auto c = await_completion<MessageStatus>([&](auto done) { store_->cancel(cancelled, done); });
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, MessageStatus::cancelled);
  EXPECT_EQ(store_->get_message(cancelled)->events.back().type, "cancelled");

  auto retried = enqueue(message("retry me"))->id;
  quarantine(retried);
  auto r = await_completion<MessageStatus>([&](auto done) { store_->retry(retried, done); });
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, MessageStatus::queued);
  EXPECT_EQ(store_->get_message(retried)->events.back().detail, "manual retry from quarantined");
  ASSERT_EQ(lease(1).size(), 1u) << "a retried message is due at once";

  auto cnt = counts();
  EXPECT_EQ(cnt[static_cast<int>(MessageStatus::quarantined)], 0);
  EXPECT_EQ(cnt[static_cast<int>(MessageStatus::cancelled)], 1);
}

TEST_F(SqliteStoreTest, ApiKeysAreStoredByHash) {
  StoredApiKey k{{"ci", {"send", "read"}, clock_.now()}, std::string(32, 'h')};
  ASSERT_TRUE(await_completion<void>([&](auto done) { store_->create_api_key(k, done); }));
  auto dup = await_completion<void>([&](auto done) { store_->create_api_key(k, done); });
  EXPECT_EQ(dup.error(), Errc::conflict);
  auto keys = store_->list_api_keys().value();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key.scopes, (std::vector<std::string>{"send", "read"}));
  EXPECT_EQ(keys[0].secret_hash, std::string(32, 'h'));
  ASSERT_TRUE(await_completion<void>([&](auto done) { store_->delete_api_key("ci", done); }));
  auto gone = await_completion<void>([&](auto done) { store_->delete_api_key("ci", done); });
  EXPECT_EQ(gone.error(), Errc::not_found);
}

// The event stream's boot numbers: increasing across reopenings, never
// twice, whichever node asks.
TEST_F(SqliteStoreTest, BootsAreNumberedAcrossReopens) {
  auto boot = [&](const std::string& node) {
    return await_completion<std::uint64_t>(
               [&](auto done) { store_->record_boot(node, clock_.now(), done); })
        .value();
  };
  auto first = boot("a:1");
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(boot("b:1"), 2u);
  open();
  EXPECT_EQ(boot("a:2"), 3u);
}

TEST_F(SqliteStoreTest, ConcurrentEnqueuesShareCommits) {
  constexpr int kThreads = 4, kEach = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) ASSERT_TRUE(enqueue(message("c")));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counts()[0], kThreads * kEach);
}

// The rows of message 42, to b@x.org and cc c@x.org, besides its messages
// row (and its content; submitted by "k") as every version before 5 wrote
// them: recipients in a table of their own (written here out of order),
// the accepted event in the events table.
constexpr const char* kOldRecipientsEventsAndCount =
    "INSERT INTO recipients(message_id, idx, address, kind) VALUES (42, 1, 'c@x.org', 1);"
    "INSERT INTO recipients(message_id, idx, address, kind) VALUES (42, 0, 'b@x.org', 0);"
    "INSERT INTO events(message_id, seq, at, type, status, detail) VALUES (42, 0, 0, 'accepted', "
    "0, 'via smtp by k');"
    "INSERT INTO events(message_id, seq, at, type, status, detail) VALUES (42, 1, 5, 'reclaimed', "
    "0, 'lease expired');"
    "UPDATE status_counts SET n = 1 WHERE status = 0;";

// Writes a store as version `version` left it: its schema, then `rows`.
void write_old_store(const std::string& path, int version, const std::string& rows) {
  auto db = sqlite::Database::open(path, true);
  ASSERT_TRUE(db);
  ASSERT_TRUE(migrations::migrate_sqlite(**db, version));
  ASSERT_TRUE((*db)->exec(rows + kOldRecipientsEventsAndCount));
}

// Opens (and so migrates) the store written by an older version and checks
// that its message 42 reads (recipients and timeline too) and leases with
// `content`; with `reclaim`, after the removal of every content segment no
// row refers to.
void expect_message_42_after_migration(const std::string& path, const std::string& content,
                                       bool reclaim) {
  test::FakeClock clock;
  MetricsRegistry metrics;
  auto store = sqlite::SqliteStore::open({path}, clock, metrics);
  ASSERT_TRUE(store) << store.error().message();
  if (reclaim) {
    ASSERT_TRUE((*store)->reclaim_content_space());
  }
  auto read = (*store)->get_content(MessageId(42));
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->second, content);
  auto detail = (*store)->get_message(MessageId(42));
  ASSERT_TRUE(detail) << detail.error().message();
  const std::vector<Recipient> both = {{"b@x.org", RecipientKind::to},
                                       {"c@x.org", RecipientKind::cc}};
  EXPECT_EQ(detail->summary.recipients, both);
  ASSERT_EQ(detail->events.size(), 2u);
  EXPECT_EQ(detail->events[0].seq, 0);
  EXPECT_EQ(detail->events[0].type, "accepted");
  EXPECT_EQ(detail->events[0].detail, "via smtp by k");
  EXPECT_EQ(detail->events[1].seq, 1);
  EXPECT_EQ(detail->events[1].type, "reclaimed");
  auto leased = await_completion<std::vector<LeasedMessage>>(
      [&](auto done) { (*store)->lease("w", clock.now(), 60s, 10, done); });
  ASSERT_TRUE(leased);
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].content, content);
  EXPECT_EQ((*leased)[0].envelope.recipients, both);
}

// Version 2 moved the content out of the messages row: a store written by
// version 1 keeps every message, readable and deliverable.
TEST(SqliteMigrations, Version1MessagesKeepTheirContent) {
  test::TempDir dir;
  write_old_store(dir.file("old.db"), 1,
                  "INSERT INTO messages(id, status, created_at, updated_at, window_start, "
                  "next_attempt_at, sender, "
                  "subject, tags, submitted_by, format, size, content) VALUES (42, 0, 0, 0, 0, 0, "
                  "'a@x.org', 's', "
                  "'', 'k', 1, 5, 'hello');");
  expect_message_42_after_migration(dir.file("old.db"), "hello", false);
}

// Version 4 moved the content reference into the messages row: a message
// written by version 3 (its reference in message_content) stays readable
// and leasable, and keeps its segment when unreferenced ones are removed.
TEST(SqliteMigrations, Version3MessagesKeepTheirContentInTheLog) {
  test::TempDir dir;
  const std::string hello = "hello from the log";
  write_old_store(
      dir.file("old.db"), 3,
      "INSERT INTO messages(id, status, created_at, updated_at, window_start, next_attempt_at, "
      "sender, "
      "subject, tags, submitted_by, format, size) VALUES (42, 0, 0, 0, 0, 0, 'a@x.org', 's', '', "
      "'k', "
      "1, 18);"
      "INSERT INTO message_content(message_id, content, log_segment, log_offset, log_length, "
      "log_crc32c) VALUES (42, x'', 1, 4, 18, " +
          std::to_string(crc32c(hello)) + ");");
  std::filesystem::create_directories(dir.file("old.db-content"));
  std::ofstream(dir.file("old.db-content/0000000001.seg")) << "xxxx" << hello;
  expect_message_42_after_migration(dir.file("old.db"), hello, true);
}

}  // namespace
}  // namespace postern::store
