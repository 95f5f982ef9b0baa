// The test inbox's storage on a SQLite store in a temporary directory, with
// blocking helpers for its asynchronous writes.
#pragma once

#include <gtest/gtest.h>

#include "store/inbox_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace postern::store {

class InboxFixture : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

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
    return wait<InboxAccount>([&](auto done) { inbox().create_account(a, done); });
  }

  Result<Mailbox> create_mailbox(AccountId account, const std::string& name) {
    return wait<Mailbox>([&](auto done) { inbox().create_mailbox(account, name, done); });
  }

  Result<void> delete_mailbox(AccountId account, const std::string& name) {
    return wait<void>([&](auto done) { inbox().delete_mailbox(account, name, done); });
  }

  Result<void> rename_mailbox(AccountId account, const std::string& from, const std::string& to) {
    return wait<void>([&](auto done) { inbox().rename_mailbox(account, from, to, done); });
  }

  std::vector<std::string> mailbox_names(AccountId account) {
    std::vector<std::string> names;
    for (const auto& m : inbox().list_mailboxes(account).value()) names.push_back(m.name);
    return names;
  }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

}  // namespace postern::store
