// InboxBackend (src/pop3/inbox_backend.h) over an in-memory InboxStore that
// implements only what it uses, and log_in (src/pop3/login.h) with it:
// passwords, locks, the maildrop's listing, UIDL, reads and the commit.
#include "pop3/inbox_backend.h"

#include <gtest/gtest.h>

#include <map>

#include "auth/credentials.h"
#include "inbox/accounts.h"
#include "pop3/login.h"
#include "support/fake_clock.h"

namespace postern::pop3 {
namespace {

using namespace store;  // but store::Mailbox by name: core has a Mailbox too

// Answers what InboxBackend reads; everything else fails loudly.
class FakeInboxStore final : public InboxStore {
 public:
  template <class T>
  static void refuse(Completion<T>& done) {
    done(error_code(Errc::internal));
  }
  void create_account(NewInboxAccount, Completion<InboxAccount> done) override { refuse(done); }
  void delete_account(AccountId, Completion<void> done) override { refuse(done); }
  void touch_account(AccountId id, SystemTime now, Completion<void> done) override {
    touched.emplace_back(id, now);
    done({});
  }
  void create_mailbox(AccountId, std::string, Completion<store::Mailbox> done) override {
    refuse(done);
  }
  void delete_mailbox(AccountId, std::string, Completion<void> done) override { refuse(done); }
  void rename_mailbox(AccountId, std::string, std::string, Completion<void> done) override {
    refuse(done);
  }
  void set_subscribed(AccountId, std::string, bool, Completion<void> done) override {
    refuse(done);
  }
  void deliver(InboxDelivery, Completion<std::vector<DeliveredCopy>> done) override {
    refuse(done);
  }
  void store_flags(MailboxId, std::vector<std::uint32_t>, FlagChange,
                   Completion<std::vector<FlagUpdate>> done) override {
    refuse(done);
  }
  void copy(MailboxId, std::vector<std::uint32_t>, MailboxId, bool,
            Completion<CopyResult> done) override {
    refuse(done);
  }
  void expunge(MailboxId mailbox, std::vector<std::uint32_t> uids, bool only_deleted,
               Completion<std::vector<std::uint32_t>> done) override {
    expunged = {mailbox, uids, only_deleted};
    if (fail_expunge) return done(error_code(Errc::storage_unavailable));
    done(std::move(uids));
  }
  void expire(SystemTime, std::size_t, Completion<ExpiryCounts> done) override { refuse(done); }
  Result<InboxAccount> account(AccountId) override { return error_code(Errc::internal); }
  Result<InboxAccount> account_by_user(const std::string& user) override {
    if (broken) return error_code(Errc::storage_unavailable);
    auto it = accounts.find(user);
    if (it == accounts.end()) return error_code(Errc::not_found);
    return it->second;
  }
  Result<InboxAccount> account_by_address(const std::string&) override {
    return error_code(Errc::internal);
  }
  Result<std::vector<InboxAccount>> list_accounts(AccountId, std::size_t) override {
    return error_code(Errc::internal);
  }
  Result<std::vector<store::Mailbox>> list_mailboxes(AccountId) override {
    return error_code(Errc::internal);
  }
  Result<store::Mailbox> mailbox(AccountId account, const std::string& name) override {
    if (name != "INBOX" || account != inbox.account) return error_code(Errc::not_found);
    return inbox;
  }
  Result<store::Mailbox> mailbox_by_id(MailboxId) override { return error_code(Errc::internal); }
  Result<MailboxCounts> mailbox_counts(MailboxId) override { return error_code(Errc::internal); }
  Result<std::vector<MailEntry>> entries(MailboxId mailbox) override {
    if (mailbox != inbox.id) return error_code(Errc::not_found);
    return inbox_entries;
  }
  Result<MailboxChanges> changes_since(MailboxId, std::uint64_t) override {
    return error_code(Errc::internal);
  }
  Result<std::vector<EntryWithSummary>> entries_with_summary(
      MailboxId, const std::vector<std::uint32_t>&) override {
    return error_code(Errc::internal);
  }
  Result<std::vector<EntryWithSummary>> search(MailboxId, const InboxQuery&) override {
    return error_code(Errc::internal);
  }
  Result<std::string> blob_content(BlobId blob) override {
    auto it = blobs.find(blob);
    if (it == blobs.end()) return error_code(Errc::not_found);
    return it->second;
  }
  Result<std::pair<AccountId, MailEntry>> find_caught(MessageId) override {
    return error_code(Errc::internal);
  }

  std::map<std::string, InboxAccount> accounts;
  store::Mailbox inbox;
  std::vector<MailEntry> inbox_entries;
  std::map<BlobId, std::string> blobs;
  bool broken = false;
  bool fail_expunge = false;
  std::vector<std::pair<AccountId, SystemTime>> touched;
  struct Expunge {
    MailboxId mailbox = 0;
    std::vector<std::uint32_t> uids;
    bool only_deleted = true;
  };
  Expunge expunged;
};

class InboxBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(auth::init_crypto());
    InboxAccount alice;
    alice.id = 5;
    alice.user = "alice";
    alice.password_hash = auth::hash_password("secret").value();
    alice.retention = std::chrono::hours(48);
    store.accounts["alice"] = alice;
    store.inbox.id = 50;
    store.inbox.account = 5;
    store.inbox.uid_validity = 1700000000;
    MailEntry a;
    a.uid = 3;
    a.size = 11;
    a.blob = 900;
    MailEntry b = a;
    b.uid = 8;
    b.size = 4;
    b.blob = 901;
    store.inbox_entries = {a, b};
    store.blobs = {{900, "A: b\r\n\r\nhi\r\n"}, {901, "x\r\n"}};
  }
  postern::test::FakeClock clock;
  FakeInboxStore store;
  // Logins go through the account service, as in the server.
  inbox::AccountService accounts{store, clock, inbox::InboxOptions{}};
  InboxBackend backend{store, accounts};
  MaildropLocks locks;
};

TEST_F(InboxBackendTest, LogsInWithTheAccountPasswordAndListsItsInbox) {
  auto grant = log_in(backend, locks, "alice", "secret");
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->account.id, 5);
  EXPECT_EQ(grant->account.retention, std::chrono::hours(48));
  ASSERT_EQ(store.touched.size(), 1u);
  EXPECT_EQ(store.touched[0].first, 5);
  EXPECT_EQ(store.touched[0].second, clock.now());
  const auto& m = grant->maildrop->messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].uid, "1700000000.3");
  EXPECT_EQ(m[0].size, 11u);
  EXPECT_EQ(m[1].uid, "1700000000.8");
  EXPECT_EQ(grant->maildrop->content(1).value(), "x\r\n");
  EXPECT_EQ(grant->maildrop->content(2).error(), Errc::not_found);
}

TEST_F(InboxBackendTest, WrongPasswordUnknownUserAndBrokenStorage) {
  EXPECT_EQ(log_in(backend, locks, "alice", "Secret").error(), LoginError::bad_credentials);
  EXPECT_EQ(log_in(backend, locks, "mallory", "secret").error(), LoginError::bad_credentials);
  EXPECT_TRUE(store.touched.empty());
  store.broken = true;
  EXPECT_EQ(log_in(backend, locks, "alice", "secret").error(), LoginError::unavailable);
  EXPECT_FALSE(locks.locked(5));
}

TEST_F(InboxBackendTest, OneSessionPerAccount) {
  auto first = log_in(backend, locks, "alice", "secret");
  ASSERT_TRUE(first);
  EXPECT_TRUE(locks.locked(5));
  EXPECT_EQ(log_in(backend, locks, "alice", "secret").error(), LoginError::in_use);
  first = LoginError::bad_credentials;  // the first session ends
  EXPECT_FALSE(locks.locked(5));
  EXPECT_TRUE(log_in(backend, locks, "alice", "secret"));
}

TEST_F(InboxBackendTest, RemoveExpungesExactlyTheDeletedUids) {
  auto grant = log_in(backend, locks, "alice", "secret");
  ASSERT_TRUE(grant);
  std::optional<Result<void>> result;
  grant->maildrop->remove({1}, [&](Result<void> r) { result = r; });
  ASSERT_TRUE(result);
  EXPECT_TRUE(*result);
  EXPECT_EQ(store.expunged.mailbox, 50);
  EXPECT_EQ(store.expunged.uids, std::vector<std::uint32_t>{8});
  EXPECT_FALSE(store.expunged.only_deleted);

  store.fail_expunge = true;
  result.reset();
  grant->maildrop->remove({0, 1}, [&](Result<void> r) { result = r; });
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error(), Errc::storage_unavailable);
}

}  // namespace
}  // namespace postern::pop3
