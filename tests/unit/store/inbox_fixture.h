// The test inbox's storage, with blocking helpers for its asynchronous
// writes. InboxFixture opens it on a SQLite store in a temporary directory
// (the inbox's tests elsewhere, and the store's tests of SQLite's content
// log); any_inbox_fixture.h opens it on the backend a test names.
#pragma once

#include <gtest/gtest.h>

#include "store/inbox_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace postern::store {

// The calls the inbox's tests make, on the inbox of `Base`, which has
// inbox() and clock_.
template <class Base>
class InboxCalls : public Base {
 protected:
  template <class T, class Start>
  Result<T> wait(Start start) {
    return test::await_completion<T>(start);
  }

  Result<InboxAccount> create_account(const std::string& user, std::uint64_t quota = 0,
                                      std::chrono::seconds retention = std::chrono::hours(24 * 7),
                                      bool catch_all = false) {
    NewInboxAccount a;
    a.user = user;
    a.address = user + "@inbox.example.test";
    a.password_hash = "$argon2id$fake";
    a.quota_bytes = quota;
    a.retention = retention;
    a.catch_all = catch_all;
    return wait<InboxAccount>([&](auto done) { this->inbox().create_account(a, done); });
  }

  Result<Mailbox> create_mailbox(AccountId account, const std::string& name) {
    return wait<Mailbox>([&](auto done) { this->inbox().create_mailbox(account, name, done); });
  }

  Result<void> delete_mailbox(AccountId account, const std::string& name) {
    return wait<void>([&](auto done) { this->inbox().delete_mailbox(account, name, done); });
  }

  Result<void> rename_mailbox(AccountId account, const std::string& from, const std::string& to) {
    return wait<void>([&](auto done) { this->inbox().rename_mailbox(account, from, to, done); });
  }

  // A delivery of `content` into each (account, mailbox) target.
  InboxDelivery delivery(const std::string& content,
                         std::vector<std::pair<AccountId, std::string>> targets,
                         const std::string& subject = "Hello") {
    InboxDelivery d;
    d.content = content;
    d.summary.from = "Ann Example <ann@example.org>";
    d.summary.to = "bob@inbox.example.test";
    d.summary.subject = subject;
    d.summary.message_id = "m1@example.org";
    d.summary.text = "the body of " + subject;
    d.summary.envelope = "(NIL \"" + subject + "\")";
    d.internal_date = this->clock_.now();
    for (auto& [account, mailbox] : targets) d.targets.push_back({account, mailbox, {}});
    return d;
  }

  Result<std::vector<DeliveredCopy>> deliver(InboxDelivery d) {
    return wait<std::vector<DeliveredCopy>>(
        [&](auto done) { this->inbox().deliver(std::move(d), done); });
  }

  // Delivers `content` into the account's INBOX and answers its UID.
  std::uint32_t deliver_one(AccountId account, const std::string& content,
                            const std::string& subject = "Hello") {
    auto r = deliver(delivery(content, {{account, "INBOX"}}, subject));
    EXPECT_TRUE(r) << r.error().message();
    if (!r) return 0;
    EXPECT_FALSE(r->at(0).error) << r->at(0).error.message();
    return r->at(0).uid;
  }

  MailboxId inbox_of(AccountId account) {
    return this->inbox().mailbox(account, "INBOX").value().id;
  }

  std::vector<std::uint32_t> uids_of(MailboxId mailbox) {
    std::vector<std::uint32_t> out;
    for (const auto& e : this->inbox().entries(mailbox).value()) out.push_back(e.uid);
    return out;
  }

  Result<std::vector<FlagUpdate>> store_flags(MailboxId mailbox, std::vector<std::uint32_t> uids,
                                              FlagOperation op, MailFlags flags) {
    return wait<std::vector<FlagUpdate>>([&](auto done) {
      this->inbox().store_flags(mailbox, uids, FlagChange{op, flags}, done);
    });
  }

  Result<std::vector<std::uint32_t>> expunge(MailboxId mailbox, std::vector<std::uint32_t> uids,
                                             bool only_deleted) {
    return wait<std::vector<std::uint32_t>>(
        [&](auto done) { this->inbox().expunge(mailbox, uids, only_deleted, done); });
  }

  Result<CopyResult> copy(MailboxId from, std::vector<std::uint32_t> uids, MailboxId target,
                          bool move) {
    return wait<CopyResult>([&](auto done) { this->inbox().copy(from, uids, target, move, done); });
  }

  Result<ExpiryCounts> expire(SystemTime now, std::size_t limit = 1000) {
    return wait<ExpiryCounts>([&](auto done) { this->inbox().expire(now, limit, done); });
  }

  std::uint64_t used_bytes(AccountId account) {
    return this->inbox().account(account).value().used_bytes;
  }

  std::vector<std::string> mailbox_names(AccountId account) {
    std::vector<std::string> names;
    for (const auto& m : this->inbox().list_mailboxes(account).value()) names.push_back(m.name);
    return names;
  }
};

// A SQLite store in a temporary directory.
class SqliteInboxBase {
 protected:
  // Opens the store, closing the one open before (a restart).
  void open() {
    store_.reset();
    sqlite::SqliteOptions options;
    options.path = dir_.file("postern.db");
    options.fsync = false;
    auto s = sqlite::SqliteStore::open(options, clock_, metrics_);
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::move(*s);
  }

  InboxStore& inbox() { return store_->inbox(); }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

class InboxFixture : public ::testing::Test, public InboxCalls<SqliteInboxBase> {
 protected:
  void SetUp() override { open(); }
};

}  // namespace postern::store
