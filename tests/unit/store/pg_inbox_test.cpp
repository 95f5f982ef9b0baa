// What the test inbox on PostgreSQL does beyond the tests both backends
// share (inbox_accounts_test.cpp, inbox_messages_test.cpp): several nodes
// on one database, each a PostgresStore of its own, as in a cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "any_inbox_fixture.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using Uids = std::vector<std::uint32_t>;

class PgInboxTest : public ::testing::Test, public InboxTestSupport {
 protected:
  void SetUp() override {
    set_up(Backend::postgres);
    if (IsSkipped() || HasFatalFailure()) return;
    other_ = open_node();
    ASSERT_TRUE(other_);
  }

  // Another node on the same database.
  std::unique_ptr<postgres::PostgresStore> open_node() {
    auto s = postgres::PostgresStore::open({pg_->conninfo(database_)}, clock_, metrics_);
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(*s) : nullptr;
  }

  Result<std::vector<DeliveredCopy>> deliver_through(InboxStore& node, InboxDelivery d) {
    return wait<std::vector<DeliveredCopy>>([&](auto done) { node.deliver(std::move(d), done); });
  }

  std::unique_ptr<postgres::PostgresStore> other_;
};

// A test account made through one node is readable through another (IMAP
// on any node behind the load balancer), with the mail caught through
// either, its UIDs and flags.
TEST_F(PgInboxTest, AccountAndMailFromOneNodeAreReadThroughAnother) {
  auto a = create_account("alice", 1000);
  ASSERT_TRUE(a) << a.error().message();
  auto& there = other_->inbox();
  EXPECT_EQ(there.account_by_user("alice")->id, a->id);
  EXPECT_EQ(there.account_by_address("Alice@inbox.example.test")->id, a->id);
  auto box = there.mailbox(a->id, "INBOX");
  ASSERT_TRUE(box);
  EXPECT_EQ(box->uid_validity, inbox().mailbox(a->id, "INBOX")->uid_validity);

  ASSERT_EQ(deliver_one(a->id, "Subject: one\r\n\r\nfirst\r\n", "one"), 1u);
  auto second = deliver_through(there, delivery("second", {{a->id, "INBOX"}}, "two"));
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_EQ(second->at(0).uid, 2u);
  EXPECT_EQ(deliver_one(a->id, "third", "three"), 3u);

  auto listed = there.entries(box->id).value();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].uid, 1u);
  EXPECT_EQ(listed[2].uid, 3u);
  EXPECT_EQ(there.blob_content(listed[0].blob).value(), "Subject: one\r\n\r\nfirst\r\n");
  EXPECT_EQ(there.search(box->id, {.subject = "TWO"})->at(0).entry.uid, 2u);
  EXPECT_EQ(there.account(a->id)->used_bytes, inbox().account(a->id)->used_bytes);

  // A flag set through one node is what the other's sessions catch up with.
  auto seen = inbox().mailbox_by_id(box->id)->highest_modseq;
  auto set = wait<std::vector<FlagUpdate>>([&](auto done) {
    there.store_flags(box->id, {2}, {FlagOperation::add, {1, {"Work"}}}, done);
  });
  ASSERT_TRUE(set);
  auto changes = inbox().changes_since(box->id, seen).value();
  ASSERT_EQ(changes.changed.size(), 1u);
  EXPECT_EQ(changes.changed[0].uid, 2u);
  EXPECT_EQ(changes.changed[0].flags, (MailFlags{1, {"Work"}}));

  // Deleted through one node, gone on the other, its name free again.
  ASSERT_TRUE(wait<void>([&](auto done) { there.delete_account(a->id, done); }));
  EXPECT_EQ(inbox().account(a->id).error(), Errc::not_found);
  EXPECT_EQ(inbox().entries(box->id).error(), Errc::not_found);
  EXPECT_TRUE(create_account("alice"));
}

// Nodes filing into one mailbox at once: UIDs are 1 to N without a gap or
// a repeat, and a reader polling another node never learns of a UID below
// one it has already seen (the mailbox row's lock orders the commits, so
// what an IMAP session announced is never followed by a smaller UID).
TEST_F(PgInboxTest, NodesFilingAtOnceKeepUidsIncreasing) {
  constexpr int kNodes = 3;
  constexpr int kSendersPerNode = 2;
  constexpr int kMessagesPerSender = 40;
  auto a = create_account("busy").value();
  auto box = inbox_of(a.id);
  std::vector<std::unique_ptr<postgres::PostgresStore>> nodes;
  for (int n = 0; n < kNodes; ++n) {
    nodes.push_back(open_node());
    ASSERT_TRUE(nodes.back());
  }
  std::atomic<int> failures{0};
  std::atomic<bool> sending{true};
  std::vector<std::thread> senders;
  for (int n = 0; n < kNodes; ++n) {
    for (int s = 0; s < kSendersPerNode; ++s) {
      senders.emplace_back([&, n] {
        for (int i = 0; i < kMessagesPerSender; ++i) {
          auto r = deliver_through(nodes[n]->inbox(), delivery("m", {{a.id, "INBOX"}}));
          if (!r || r->at(0).error) ++failures;
        }
      });
    }
  }
  // The reader, through the first node: what each poll tells is new, and
  // above all it told before.
  std::uint32_t highest_seen = 0;
  std::uint64_t modseq = 0;
  std::size_t seen = 0;
  int out_of_order = 0;
  auto poll = [&] {
    auto changes = inbox().changes_since(box, modseq);
    ASSERT_TRUE(changes);
    for (const auto& e : changes->changed) {
      if (e.uid <= highest_seen) ++out_of_order;
      highest_seen = std::max(highest_seen, e.uid);
      ++seen;
    }
    modseq = changes->highest_modseq;
  };
  std::thread reader([&] {
    while (sending) poll();
  });
  for (auto& t : senders) t.join();
  sending = false;
  reader.join();
  poll();  // what committed after the reader's last poll

  constexpr auto kTotal = static_cast<std::uint32_t>(kNodes * kSendersPerNode * kMessagesPerSender);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(out_of_order, 0);
  EXPECT_EQ(seen, kTotal);
  Uids expected(kTotal);
  for (std::uint32_t i = 0; i < kTotal; ++i) expected[i] = i + 1;
  EXPECT_EQ(uids_of(box), expected);
  EXPECT_EQ(other_->inbox().mailbox_by_id(box)->uid_next, kTotal + 1);
  EXPECT_EQ(used_bytes(a.id), kTotal);  // one byte each
}

// Two nodes delivering into one account at once never take it past its
// quota: each reads the used bytes under the account's lock.
TEST_F(PgInboxTest, NodesDeliveringAtOnceKeepToTheQuota) {
  constexpr int kRoomFor = 10;
  const std::string body(100, 'x');
  auto a = create_account("tight", kRoomFor * body.size()).value();
  std::atomic<int> filed{0}, full{0}, failures{0};
  std::vector<std::thread> senders;
  for (InboxStore* node : {&inbox(), &other_->inbox()}) {
    for (int s = 0; s < 2; ++s) {
      senders.emplace_back([&, node] {
        for (int i = 0; i < kRoomFor; ++i) {
          auto r = deliver_through(*node, delivery(body, {{a.id, "INBOX"}}));
          if (!r) {
            ++failures;
          } else if (r->at(0).error == Errc::storage_full) {
            ++full;
          } else if (!r->at(0).error) {
            ++filed;
          }
        }
      });
    }
  }
  for (auto& t : senders) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(filed.load(), kRoomFor);
  EXPECT_EQ(full.load(), 3 * kRoomFor);
  EXPECT_EQ(used_bytes(a.id), kRoomFor * body.size());
  EXPECT_EQ(uids_of(inbox_of(a.id)).size(), static_cast<std::size_t>(kRoomFor));
}

// The message's bytes live in the database (bytea) and come back exactly,
// every byte value included, through any node.
TEST_F(PgInboxTest, BlobBytesComeBackByteForByte) {
  auto a = create_account("alice").value();
  std::string content = "Subject: binary\r\n\r\n\0\xff\xfe\\x00'"s;
  for (int round = 0; round < 4096; ++round) content += static_cast<char>(round % 256);
  deliver_one(a.id, content);
  auto blob = inbox().entries(inbox_of(a.id)).value()[0].blob;
  EXPECT_EQ(inbox().blob_content(blob).value(), content);
  EXPECT_EQ(other_->inbox().blob_content(blob).value(), content);
}

// A key bound to a test account made through one node is listed with the
// account through another, and deleted with it whichever node deletes it.
TEST_F(PgInboxTest, BoundKeysFollowTheAccountAcrossNodes) {
  auto a = create_account("alice").value();
  StoredApiKey k{{"a-key", {"send"}, clock_.now(), a.id}, std::string(32, 'a')};
  ASSERT_TRUE(wait<void>([&](auto done) { other_->create_api_key(k, done); }));
  auto keys = store_->list_api_keys().value();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key.test_account, "alice");
  ASSERT_TRUE(wait<void>([&](auto done) { other_->inbox().delete_account(a.id, done); }));
  EXPECT_TRUE(store_->list_api_keys()->empty());
}

}  // namespace
}  // namespace postern::store
