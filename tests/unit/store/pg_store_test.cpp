// What the PostgreSQL store does beyond the contract both backends share
// (store_contract_test.cpp): several nodes on one database, and a database
// that goes away and comes back.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "store/open_store.h"
#include "store/postgres/connection.h"
#include "store/postgres/postgres_store.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using test::await_completion;

class PgStoreTest : public PgNodesTest {
 protected:
  void SetUp() override {
    PgNodesTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = open_node();
    ASSERT_TRUE(store_);
  }
};

// SKIP LOCKED: nodes leasing at the same time each take messages no other
// node holds, and together they take them all.
TEST_F(PgStoreTest, NodesLeasingAtOnceNeverTakeTheSameMessage) {
  constexpr int kNodes = 3, kMessages = 300;
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(enqueue(message("m" + std::to_string(i))));
  std::vector<std::unique_ptr<Store>> nodes;
  for (int n = 0; n < kNodes; ++n) {
    nodes.push_back(open_node());
    ASSERT_TRUE(nodes.back());
  }
  std::vector<std::vector<MessageId>> taken(kNodes);
  std::vector<std::thread> threads;
  for (int n = 0; n < kNodes; ++n) {
    threads.emplace_back([&, n] {
      for (;;) {
        auto got = await_completion<std::vector<LeasedMessage>>([&](auto done) {
          nodes[n]->lease("node" + std::to_string(n), clock_.now(), 60s, 7, done);
        });
        if (!got || got->empty()) return;
        for (auto& m : *got) taken[n].push_back(m.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<MessageId> all;
  std::size_t total = 0;
  for (auto& ids : taken) {
    total += ids.size();
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kMessages));
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::sending)], kMessages);
}

// Each writer adds to its own shard of the counts (schema migration 9), and
// a count also takes in what a node of the version before adds to the
// unsharded row while a cluster upgrades.
TEST_F(PgStoreTest, CountsSumEveryWritersShardAndTheRowsOfOlderNodes) {
  auto other = open_node();
  ASSERT_TRUE(other);
  ASSERT_TRUE(enqueue(message("a")));
  ASSERT_TRUE(
      await_completion<EnqueueResult>([&](auto done) { other->enqueue(message("b"), done); }));
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::queued)], 2);
  auto older = postgres::Connection::open(pg_->conninfo(database_));
  ASSERT_TRUE(older);
  ASSERT_TRUE((*older)->query("UPDATE status_counts SET n = n + 3 WHERE status = $1",
                              postgres::Params().integer(static_cast<int>(MessageStatus::queued))));
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::queued)], 5);
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::sent)], 0);
}

// A lease names its node: another node cannot record an attempt on it, and
// once it expired another node reclaims it and sends it.
TEST_F(PgStoreTest, ADeadNodesLeaseIsTakenOverAfterItExpires) {
  auto id = enqueue(message("x"))->id;
  auto other = open_node();
  ASSERT_TRUE(other);
  ASSERT_EQ(lease(5, "dead-node").size(), 1u);
  store_.reset();  // the node is gone, its lease with it
  AttemptRecord sent{id, MessageStatus::sent, {}, "p", "ok", "250", "", "", 1ms};
  EXPECT_EQ(await_completion<void>([&](auto done) {
              other->record_attempt("live-node", sent, done);
            }).error(),
            Errc::not_found);
  clock_.advance(61s);
  auto reclaimed = await_completion<std::size_t>(
      [&](auto done) { other->reclaim_leases("", clock_.now(), done); });
  EXPECT_EQ(*reclaimed, 1u);
  auto again = await_completion<std::vector<LeasedMessage>>(
      [&](auto done) { other->lease("live-node", clock_.now(), 60s, 5, done); });
  ASSERT_EQ(again->size(), 1u);
  EXPECT_TRUE(
      await_completion<void>([&](auto done) { other->record_attempt("live-node", sent, done); }));
  EXPECT_EQ(other->get_message(id)->summary.status, MessageStatus::sent);
}

// Attempts that end together are recorded as a group (one round trip for
// all): each still gets its own answer, a lost lease only its own.
TEST_F(PgStoreTest, AttemptsEndingTogetherEachGetTheirOwnAnswer) {
  constexpr int kMessages = 60;
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(enqueue(message("m" + std::to_string(i))));
  auto leased = lease(kMessages, "w1");
  ASSERT_EQ(leased.size(), static_cast<std::size_t>(kMessages));
  std::vector<std::promise<Result<void>>> answers(kMessages);
  for (int i = 0; i < kMessages; ++i) {
    AttemptRecord rec{leased[i].id, MessageStatus::sent, {}, "p", "ok", "250", "", "", 1ms};
    rec.provider_message_id = "pid-" + std::to_string(i);
    // One in ten names an owner that does not hold the lease.
    store_->record_attempt(i % 10 == 3 ? "w2" : "w1", rec,
                           [&answers, i](Result<void> r) { answers[i].set_value(r); });
  }
  int sent = 0;
  for (int i = 0; i < kMessages; ++i) {
    auto r = answers[i].get_future().get();
    auto stored = store_->get_message(leased[i].id);
    ASSERT_TRUE(stored);
    if (i % 10 == 3) {
      EXPECT_EQ(r.error(), Errc::not_found) << i;
      EXPECT_EQ(stored->summary.status, MessageStatus::sending) << i;
    } else {
      EXPECT_TRUE(r) << i << ": " << r.error().message();
      EXPECT_EQ(stored->summary.status, MessageStatus::sent) << i;
      ++sent;
    }
  }
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::sent)], sent);
  EXPECT_EQ(counts()[static_cast<int>(MessageStatus::sending)], kMessages - sent);
}

// The same idempotency key sent to two nodes: one message, the other
// request answered with it.
TEST_F(PgStoreTest, AnIdempotencyKeyHoldsAcrossNodes) {
  auto other = open_node();
  ASSERT_TRUE(other);
  auto first = enqueue(message("one", "key-1", "hash-a"));
  ASSERT_TRUE(first);
  auto again = await_completion<EnqueueResult>(
      [&](auto done) { other->enqueue(message("one", "key-1", "hash-a"), done); });
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(counts()[0], 1);
}

// Content is bytea: any byte comes back as it went in.
TEST_F(PgStoreTest, ContentComesBackByteForByte) {
  auto m = message("binary");
  m.format = ContentFormat::mime;
  m.content = "Subject: x\r\n\r\n\0\xff\xfe\\x00'"s;
  auto id = enqueue(m)->id;
  EXPECT_EQ(store_->get_content(id)->second, m.content);
  auto leased = lease(1);
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].content, m.content);
}

// No acknowledgement without a commit while the database is away, and the
// store carries on alone once it is back.
TEST_F(PgStoreTest, WritesFailWhileTheDatabaseIsAwayAndResumeAfter) {
  auto before = enqueue(message("before"));
  ASSERT_TRUE(before);
  std::string why;
  ASSERT_TRUE(pg_->stop(why)) << why;
  auto during = enqueue(message("during"));
  ASSERT_FALSE(during);
  EXPECT_EQ(during.error(), Errc::storage_unavailable);
  EXPECT_EQ(store_->get_message(before->id).error(), Errc::storage_unavailable);
  // /readyz's answer: not writable, and asking does not wait on the server.
  auto& node = static_cast<NodeStore&>(*store_);
  EXPECT_FALSE(node.writable());
  ASSERT_TRUE(pg_->start_again(why)) << why;
  // Back on its own: the empty transactions writable() queues reconnect
  // the writer within its backoff (at most a second apart).
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!node.writable() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(node.writable());
  auto after = enqueue(message("after"));
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(store_->get_message(before->id)->summary.subject, "before");
  EXPECT_EQ(store_->get_message(after->id)->summary.subject, "after");
  EXPECT_EQ(counts()[0], 2);
}

// store.backend = "postgres" opens this backend, whole: the parts beside
// the Store are this database's, and where it is is said without secrets.
TEST_F(PgStoreTest, TheConfigurationOpensItAsTheNodesStore) {
  StoreConfig config;
  config.backend = kPostgresBackend;
  config.postgres.url = pg_->conninfo(database_) + " password=never-shown";
  auto opened = open_node_store(config, clock_, metrics_);
  ASSERT_TRUE(opened) << opened.error().message();
  auto& node = **opened;
  ASSERT_NE(dynamic_cast<postgres::PostgresStore*>(&node), nullptr);
  auto queued = enqueue(message("through the first node"));
  ASSERT_TRUE(queued);
  EXPECT_EQ(node.get_message(queued->id)->summary.subject, "through the first node");
  auto location = store_location(config);
  EXPECT_EQ(location.find("never-shown"), std::string::npos) << location;
  EXPECT_NE(location.find("dbname=" + database_), std::string::npos) << location;
}

}  // namespace
}  // namespace postern::store
