// The Store contract (store.h), the same test bodies against each backend:
// SQLite, and PostgreSQL on the test binary's private server
// (support/pg_server.h; a database per test).
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "store/reclaimed_event.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

class StoreContract : public AnyStoreFixture {};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract, ::testing::Values(Backend::postgres));

TEST_P(StoreContract, EnqueuedMessageIsReadableWithItsTimeline) {
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

TEST_P(StoreContract, MessagesSurviveReopen) {
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

TEST_P(StoreContract, IdempotencyKeyReplaysOrConflicts) {
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

TEST_P(StoreContract, ListPaginatesNewestFirstAndFilters) {
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
TEST_P(StoreContract, ACatchAccountComesBackWithEveryLease) {
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

TEST_P(StoreContract, LeaseSendAndDeferMoveStatusesAndCounts) {
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

// Content is written to its segment at commit; a lease that the writer
// takes in the same transaction as the enqueue must still read it.
TEST_P(StoreContract, ALeaseInTheEnqueuesOwnBatchReadsItsContent) {
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

TEST_P(StoreContract, ExpiredLeasesComeBack) {
  auto id = enqueue(message("x"))->id;
  ASSERT_EQ(lease(5).size(), 1u);
  auto none = await_completion<std::size_t>(
      [&](auto done) { store_->reclaim_leases("", clock_.now(), done); });
  EXPECT_EQ(*none, 0u);
  clock_.advance(61s);
  auto n = await_completion<std::size_t>(
      [&](auto done) { store_->reclaim_leases("", clock_.now(), done); });
  EXPECT_EQ(*n, 1u);
  auto d = store_->get_message(id).value();
  EXPECT_EQ(d.summary.status, MessageStatus::queued);
  EXPECT_EQ(d.events.back().type, "reclaimed");
  // The old owner lost it; a new lease takes it.
  AttemptRecord late{id, MessageStatus::sent, {}, "p", "ok", "", "", "", 0us};
  EXPECT_EQ(record(late).error(), Errc::not_found);
  EXPECT_EQ(lease(5, "w2").size(), 1u);
}

// A node at start takes back what it leased before it restarted, at once,
// and what expired; another node's live lease stays with that node.
TEST_P(StoreContract, ANodeAtStartReclaimsItsOwnLeasesAndExpiredOnesOnly) {
  auto mine = enqueue(message("mine"))->id;
  ASSERT_EQ(lease(1, "node-a").size(), 1u);
  auto theirs = enqueue(message("theirs"))->id;
  ASSERT_EQ(lease(1, "node-b").size(), 1u);
  clock_.advance(30s);
  auto stale = enqueue(message("stale"))->id;
  ASSERT_EQ(await_completion<std::vector<LeasedMessage>>([&](auto done) {
              store_->lease("node-c", clock_.now(), 10s, 1, done);
            })->size(),
            1u);
  clock_.advance(11s);  // node-c's lease expired; node-b's (60 s) has not

  auto n = await_completion<std::size_t>(
      [&](auto done) { store_->reclaim_leases("node-a", clock_.now(), done); });
  EXPECT_EQ(*n, 2u);
  EXPECT_EQ(store_->get_message(theirs)->summary.status, MessageStatus::sending);
  auto detail_of = [&](MessageId id) {
    auto d = store_->get_message(id).value();
    EXPECT_EQ(d.summary.status, MessageStatus::queued);
    EXPECT_EQ(d.events.back().type, "reclaimed");
    return d.events.back().detail;
  };
  EXPECT_EQ(detail_of(mine), kReclaimedAtStart);
  EXPECT_EQ(detail_of(stale), kReclaimedExpired);
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::queued)], 2);
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::sending)], 1);
  // Due now: the restarted node leases both again; node-b still records its own.
  auto again = lease(5, "node-a");
  ASSERT_EQ(again.size(), 2u);
  AttemptRecord sent{theirs, MessageStatus::sent, {}, "p", "ok", "250", "", "", 1ms};
  EXPECT_TRUE(record(sent, "node-b"));
}

// The periodic reclaim ("" for owner) takes expired leases only, whoever
// holds them.
TEST_P(StoreContract, ThePeriodicReclaimLeavesLiveLeasesAlone) {
  enqueue(message("x"));
  ASSERT_EQ(lease(5, "node-a").size(), 1u);
  auto n = await_completion<std::size_t>(
      [&](auto done) { store_->reclaim_leases("", clock_.now(), done); });
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::sending)], 1);
}

TEST_P(StoreContract, CancelAndRetry) {
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
TEST_P(StoreContract, QuarantinedMailCanBeCancelledOrRetried) {
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

TEST_P(StoreContract, ApiKeysAreStoredByHash) {
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

// Expiry, rotation with a grace period and last use (docs/operations.md
// "Abuse limits"): the old secret still finds the key, last use only moves
// forward, an unknown name is skipped or not_found.
TEST_P(StoreContract, ApiKeysExpireRotateAndRecordTheirLastUse) {
  const auto now = clock_.now();
  StoredApiKey k{{"app", {"send"}, now}, std::string(32, 'a')};
  k.key.expires_at = now + std::chrono::hours(48);
  ASSERT_TRUE(await_completion<void>([&](auto done) { store_->create_api_key(k, done); }));
  ASSERT_TRUE(await_completion<void>([&](auto done) {
    store_->rotate_api_key("app", std::string(32, 'b'), now + std::chrono::hours(24), done);
  }));
  auto missing = await_completion<void>(
      [&](auto done) { store_->rotate_api_key("nobody", std::string(32, 'c'), now, done); });
  EXPECT_EQ(missing.error(), Errc::not_found);
  for (char secret : {'a', 'b'}) {
    auto found = store_->api_key_by_hash(std::string(32, secret)).value();
    ASSERT_TRUE(found) << secret;
    EXPECT_EQ(found->key.name, "app");
    EXPECT_EQ(found->secret_hash, std::string(32, 'b'));
    EXPECT_EQ(found->previous_hash, std::string(32, 'a'));
    EXPECT_EQ(found->key.previous_valid_until, now + std::chrono::hours(24));
    EXPECT_EQ(found->key.expires_at, now + std::chrono::hours(48));
  }
  const auto later = now + std::chrono::minutes(5);
  ASSERT_TRUE(await_completion<void>([&](auto done) {
    store_->record_api_key_use({{"app", later}, {"nobody", later}}, done);
  }));
  ASSERT_TRUE(await_completion<void>([&](auto done) {
    store_->record_api_key_use({{"app", now}}, done);
  }));
  auto keys = store_->list_api_keys().value();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key.last_used_at, later) << "an earlier use does not move it back";
}

// The event stream's boot numbers: increasing across reopenings, never
// twice, whichever node asks.
TEST_P(StoreContract, BootsAreNumberedAcrossReopens) {
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

TEST_P(StoreContract, ConcurrentEnqueuesShareCommits) {
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

// Group commit: writes queued together share transactions, and every one
// of them is answered, also when a batch is larger than what one pipeline
// round trip of the PostgreSQL store sends.
TEST_P(StoreContract, ManyWritesInFlightShareCommits) {
  constexpr int kMessages = 1500;
  std::mutex mu;
  std::condition_variable cv;
  std::set<MessageId> ids;
  int answered = 0, failed = 0;
  for (int i = 0; i < kMessages; ++i) {
    store_->enqueue(message("m" + std::to_string(i)), [&](Result<EnqueueResult> r) {
      std::lock_guard lock(mu);
      ++answered;
      if (r) {
        ids.insert(r->id);
      } else {
        ++failed;
      }
      cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 60s, [&] { return answered == kMessages; }));
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(counts()[0], kMessages);
  // Fewer commits than messages.
  auto metrics = metrics_.render();
  auto name = std::string("postern_store_commit_batch_size_count{store=\"") +
              (GetParam() == Backend::sqlite ? "sqlite" : "postgres") + "\"} ";
  auto at = metrics.find(name);
  ASSERT_NE(at, std::string::npos) << metrics;
  auto commits = std::stoll(metrics.substr(at + name.size()));
  EXPECT_LT(commits, kMessages / 4) << "writes in flight together must share commits";
}

}  // namespace
}  // namespace postern::store
