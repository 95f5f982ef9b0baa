// The test inbox's expiry over the real SQLite store, on a fake clock: what
// a user of the inbox sees removed, and kept, after a sweep.
#include "inbox/expiry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "store/inbox_fixture.h"

namespace postern::inbox {
namespace {

using namespace std::chrono_literals;
using store::AccountId;

class InboxExpiryTest : public store::InboxFixture {
 protected:
  // One sweep with a fresh sweeper, as a restarted node's first.
  ExpiryResult sweep(std::size_t batch = 1000) {
    InboxExpiry expiry(inbox(), *store_, clock_, metrics_, {1min, batch});
    auto r = expiry.sweep();
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : ExpiryResult{};
  }

  AccountId account(const std::string& user, std::chrono::seconds retention,
                    bool catch_all = false) {
    auto a = create_account(user, 0, retention, catch_all);
    EXPECT_TRUE(a) << a.error().message();
    return a ? a->id : 0;
  }

  void touch(AccountId id) {
    ASSERT_TRUE(wait<void>([&](auto done) { inbox().touch_account(id, clock_.now(), done); }));
  }

  bool exists(AccountId id) { return inbox().account(id).has_value(); }

  std::vector<std::string> subjects(AccountId id) {
    auto box = inbox_of(id);
    std::vector<std::string> out;
    for (const auto& e : inbox().entries_with_summary(box, uids_of(box)).value())
      out.push_back(e.summary.subject);
    return out;
  }

  std::vector<std::filesystem::path> segments() const {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_.file("postern.db-content")))
      out.push_back(e.path());
    return out;
  }

  static std::string message(const std::string& subject) {
    return "Subject: " + subject + "\r\n\r\n" + std::string(5000, 'x') + "\r\n";
  }
};

TEST_F(InboxExpiryTest, MailOlderThanTheRetentionGoesAndYoungerMailStays) {
  auto a = account("ann", 1h);
  deliver_one(a, message("old"), "old");
  clock_.advance(50min);
  deliver_one(a, message("young"), "young");
  clock_.advance(20min);  // old: 70 min, young: 20 min

  auto r = sweep();
  EXPECT_EQ(r.removed.entries, 1u);
  EXPECT_EQ(r.removed.accounts, 0u);
  EXPECT_EQ(subjects(a), std::vector<std::string>{"young"});
  EXPECT_EQ(used_bytes(a), message("young").size());
  EXPECT_EQ(sweep().removed.entries, 0u);  // nothing else is due
}

TEST_F(InboxExpiryTest, EachAccountKeepsItsOwnRetention) {
  auto short_lived = account("brief", 1h);
  auto node_default = account("normal", 7 * 24h);
  deliver_one(short_lived, message("brief"), "brief");
  deliver_one(node_default, message("normal"), "normal");
  clock_.advance(2h);
  touch(short_lived);  // in use: only its mail is due

  EXPECT_EQ(sweep().removed.entries, 1u);
  EXPECT_TRUE(subjects(short_lived).empty());
  EXPECT_EQ(subjects(node_default), std::vector<std::string>{"normal"});
  clock_.advance(7 * 24h);
  touch(node_default);
  EXPECT_EQ(sweep().removed.entries, 1u);
  EXPECT_TRUE(subjects(node_default).empty());
}

// The unused account's mail lies alone in the first run's segment: once the
// account goes, the segment's file goes and its bytes return to the disk.
TEST_F(InboxExpiryTest, AnUnusedAccountGoesWithItsMailAndItsBytes) {
  auto unused = account("idle", 1h);
  auto busy = account("busy", 1h);
  for (int i = 0; i < 3; ++i) deliver_one(unused, message("idle " + std::to_string(i)));
  open();  // a restart: what follows is written to a new segment
  clock_.advance(2h);
  deliver_one(busy, message("fresh"), "fresh");
  ASSERT_EQ(segments().size(), 2u);

  auto r = sweep();
  EXPECT_EQ(r.removed.accounts, 1u);
  EXPECT_FALSE(exists(unused));
  EXPECT_EQ(inbox().account_by_user("idle").error(), Errc::not_found);
  EXPECT_GT(r.bytes_freed, 3 * 5000u);
  EXPECT_EQ(segments().size(), 1u);  // the one being written
  EXPECT_EQ(subjects(busy), std::vector<std::string>{"fresh"});
  auto entry = inbox().entries(inbox_of(busy)).value().at(0);
  EXPECT_EQ(inbox().blob_content(entry.blob).value(), message("fresh"));

  auto metrics = metrics_.render();
  EXPECT_NE(metrics.find("postern_inbox_expired_accounts_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("postern_store_reclaimed_bytes_total " + std::to_string(r.bytes_freed)),
            std::string::npos)
      << metrics;
}

TEST_F(InboxExpiryTest, TheCatchAllIsNeverRemovedForLackOfUse) {
  auto catch_all = account("catch-all", 1h, true);
  deliver_one(catch_all, message("caught"), "caught");
  clock_.advance(30 * 24h);

  auto r = sweep();
  EXPECT_EQ(r.removed.accounts, 0u);
  EXPECT_EQ(r.removed.entries, 1u);  // its mail still expires
  ASSERT_TRUE(exists(catch_all));
  EXPECT_TRUE(subjects(catch_all).empty());
}

TEST_F(InboxExpiryTest, ALoginKeepsAnAccount) {
  auto logged_in = account("active", 1h);
  auto forgotten = account("forgotten", 1h);
  clock_.advance(50min);
  touch(logged_in);
  clock_.advance(50min);  // created 100 min ago, logged in 50 min ago

  EXPECT_EQ(sweep().removed.accounts, 1u);
  EXPECT_TRUE(exists(logged_in));
  EXPECT_FALSE(exists(forgotten));
}

// One message caught for two accounts is stored once: the copy whose
// account keeps it keeps the bytes, also across a restart and a reclaim.
TEST_F(InboxExpiryTest, ABlobSharedWithAKeptEntryStays) {
  auto brief = account("brief", 1h);
  auto lasting = account("lasting", 7 * 24h);
  auto copies = deliver(delivery(message("shared"), {{brief, "INBOX"}, {lasting, "INBOX"}}));
  ASSERT_TRUE(copies);
  clock_.advance(2h);
  touch(brief);
  open();
  deliver_one(brief, message("later"), "later");

  auto r = sweep();
  EXPECT_EQ(r.removed.entries, 1u);
  EXPECT_EQ(r.bytes_freed, 0u);
  EXPECT_EQ(segments().size(), 2u);
  auto kept = inbox().entries(inbox_of(lasting)).value();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(inbox().blob_content(kept[0].blob).value(), message("shared"));
  EXPECT_EQ(subjects(brief), std::vector<std::string>{"later"});
}

TEST_F(InboxExpiryTest, ASweepRemovesEverythingDueInBatches) {
  auto a = account("bulk", 1h);
  for (int i = 0; i < 5; ++i) deliver_one(a, message("m" + std::to_string(i)));
  auto idle = {account("idle1", 1h), account("idle2", 1h), account("idle3", 1h)};
  clock_.advance(2h);
  touch(a);

  auto r = sweep(2);
  EXPECT_EQ(r.removed.entries, 5u);
  EXPECT_EQ(r.removed.accounts, 3u);
  EXPECT_TRUE(subjects(a).empty());
  for (auto id : idle) EXPECT_FALSE(exists(id));
  auto metrics = metrics_.render();
  EXPECT_NE(metrics.find("postern_inbox_expired_messages_total 5"), std::string::npos) << metrics;
}

// start() sweeps at once on its own thread; stop() waits for it.
TEST_F(InboxExpiryTest, StartedItSweepsAtOnce) {
  auto idle = account("idle", 1h);
  clock_.advance(2h);
  InboxExpiry expiry(inbox(), *store_, clock_, metrics_, {1h, 1000});
  expiry.start();
  for (int i = 0; i < 500 && exists(idle); ++i) std::this_thread::sleep_for(10ms);
  expiry.stop();
  EXPECT_FALSE(exists(idle));
}

}  // namespace
}  // namespace postern::inbox
