#include "inbox/accounts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "auth/credentials.h"
#include "inbox/name_form.h"
#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/sqlite_store.h"

namespace postern::inbox {
namespace {

using namespace std::chrono_literals;

// Argon2id checks made, by every service of the test (the hook is a plain
// function pointer).
std::atomic<int> g_checks{0};
bool counting_verify(std::string_view hash, std::string_view password) {
  ++g_checks;
  return auth::verify_password(hash, password);
}

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(auth::init_crypto());
    store_ = test::open_sqlite_store(dir_, clock_, metrics_);
    ASSERT_TRUE(store_);
    g_checks = 0;
    LoginCacheOptions cache;
    cache.verify_password = counting_verify;
    options_.domain = "inbox.example.test";
    options_.retention = 72h;
    options_.quota_bytes = 1024 * 1024;
    service_ = std::make_unique<AccountService>(store_->inbox(), clock_, options_, cache);
  }

  CreatedAccount create(AccountRequest request = {}) {
    auto terms = service_->terms(request);
    EXPECT_TRUE(terms);
    auto r =
        test::await_completion<CreatedAccount>([&](auto done) { service_->create(*terms, done); });
    EXPECT_TRUE(r) << r.error().message();
    return *r;
  }

  Result<void> remove(const std::string& user) {
    return test::await_completion<void>([&](auto done) { service_->remove(user, done); });
  }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  InboxOptions options_;
  std::unique_ptr<AccountService> service_;
};

TEST_F(AccountServiceTest, CreatesAnAccountWithAGeneratedNameAndPasswordShownOnce) {
  auto c = create();
  EXPECT_TRUE(has_user_name_form(c.account.user)) << c.account.user;
  EXPECT_EQ(c.account.address, c.account.user + "@inbox.example.test");
  EXPECT_EQ(c.password.size(), 24u);
  EXPECT_EQ(c.account.retention, 72h);
  EXPECT_EQ(c.account.quota_bytes, 1024u * 1024);
  EXPECT_FALSE(c.account.catch_all);
  // Only the Argon2id hash is kept.
  auto stored = service_->get(c.account.user);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->password_hash.find(c.password), std::string::npos);
  EXPECT_TRUE(stored->password_hash.starts_with("$argon2id$"));
  EXPECT_TRUE(auth::verify_password(stored->password_hash, c.password));
}

TEST_F(AccountServiceTest, NamesAndPasswordsAreUnique) {
  std::set<std::string> users, passwords;
  for (int i = 0; i < 8; ++i) {
    auto c = create();
    users.insert(c.account.user);
    passwords.insert(c.password);
  }
  EXPECT_EQ(users.size(), 8u);
  EXPECT_EQ(passwords.size(), 8u);
  auto listed = service_->list(0, 100);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 8u);
}

TEST_F(AccountServiceTest, TermsAreBoundedByTheNodes) {
  auto t = service_->terms({"1d", "64KiB"});
  ASSERT_TRUE(t);
  EXPECT_EQ(t->retention, 24h);
  EXPECT_EQ(t->quota_bytes, 64u * 1024);
  EXPECT_EQ(service_->terms({"3600", "1000"})->retention, 1h);  // plain seconds and bytes
  for (auto [request, field] : {
           std::pair{AccountRequest{"4d", {}}, "retention"},  // over the node's 3 days
           std::pair{AccountRequest{"30s", {}}, "retention"},
           std::pair{AccountRequest{"soon", {}}, "retention"},
           std::pair{AccountRequest{{}, "0"}, "quota"},
           std::pair{AccountRequest{{}, "2MiB"}, "quota"},  // over the node's 1 MiB
           std::pair{AccountRequest{{}, "big"}, "quota"},
       }) {
    auto bad = service_->terms(request);
    ASSERT_FALSE(bad) << field;
    EXPECT_EQ(bad.error().field, field);
    EXPECT_EQ(bad.error().code, "invalid_value");
  }
  auto c = create({"1d", "64KiB"});
  EXPECT_EQ(c.account.retention, 24h);
  EXPECT_EQ(c.account.quota_bytes, 64u * 1024);
}

TEST_F(AccountServiceTest, ANodeWithoutQuotaTakesAnySize) {
  options_.quota_bytes = 0;
  AccountService unbounded(store_->inbox(), clock_, options_);
  EXPECT_EQ(unbounded.terms({})->quota_bytes, 0u);
  EXPECT_EQ(unbounded.terms({{}, "1GiB"})->quota_bytes, 1024u * 1024 * 1024);
  EXPECT_FALSE(unbounded.terms({{}, "0"}));
}

TEST_F(AccountServiceTest, LogsInByUserOrAddressWithTheRightPasswordOnly) {
  auto c = create();
  auto by_user = service_->verify_login(c.account.user, c.password);
  ASSERT_TRUE(by_user) << by_user.error().message();
  EXPECT_EQ(by_user->id, c.account.id);
  auto upper = c.account.address;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  auto by_address = service_->verify_login(upper, c.password);
  ASSERT_TRUE(by_address);
  EXPECT_EQ(by_address->id, c.account.id);

  auto wrong = service_->verify_login(c.account.user, c.password + "x");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), Errc::not_found);
  EXPECT_EQ(service_->verify_login(c.account.user, "").error(), Errc::not_found);
  EXPECT_EQ(service_->verify_login("no-such-user-0000", c.password).error(), Errc::not_found);
  EXPECT_EQ(service_->verify_login("nobody@inbox.example.test", c.password).error(),
            Errc::not_found);
  // Another account's password does not open this one.
  auto other = create();
  EXPECT_FALSE(service_->verify_login(c.account.user, other.password));
}

TEST_F(AccountServiceTest, VerifiedCredentialsAreRememberedForAShortWhile) {
  auto c = create();
  ASSERT_TRUE(service_->verify_login(c.account.user, c.password));
  EXPECT_EQ(g_checks, 1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(service_->verify_login(c.account.user, c.password));
  ASSERT_TRUE(service_->verify_login(c.account.address, c.password));
  EXPECT_EQ(g_checks, 1);  // answered from the cache
  // A wrong password is never answered from it.
  EXPECT_FALSE(service_->verify_login(c.account.user, c.password + "x"));
  EXPECT_EQ(g_checks, 2);
  clock_.advance(61s);  // past the default minute
  ASSERT_TRUE(service_->verify_login(c.account.user, c.password));
  EXPECT_EQ(g_checks, 3);
}

TEST_F(AccountServiceTest, ManyLoginsAtOnceShareOneArgon2idCheck) {
  auto c = create();
  std::atomic<int> ok{0};
  std::vector<std::thread> sessions;
  for (int i = 0; i < 50; ++i) {
    sessions.emplace_back([&] {
      if (service_->verify_login(c.account.user, c.password)) ++ok;
    });
  }
  for (auto& t : sessions) t.join();
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(g_checks, 1);
}

TEST_F(AccountServiceTest, ADeletedAccountCannotLogIn) {
  auto c = create();
  ASSERT_TRUE(service_->verify_login(c.account.user, c.password));  // cached now
  ASSERT_TRUE(remove(c.account.user));
  EXPECT_EQ(service_->verify_login(c.account.user, c.password).error(), Errc::not_found);
  EXPECT_EQ(service_->get(c.account.user).error(), Errc::not_found);
  EXPECT_EQ(remove(c.account.user).error(), Errc::not_found);
}

TEST_F(AccountServiceTest, AnAccountDeletedByAnotherProcessCannotLogInEvenCached) {
  auto c = create();
  ASSERT_TRUE(service_->verify_login(c.account.user, c.password));
  // As `postern test-accounts delete` does beside a server: straight to the store.
  AccountService other(store_->inbox(), clock_, options_);
  ASSERT_TRUE(test::await_completion<void>([&](auto done) { other.remove(c.account.user, done); }));
  EXPECT_EQ(service_->verify_login(c.account.user, c.password).error(), Errc::not_found);
}

TEST_F(AccountServiceTest, LoginsRecordTheAccountsUseNowAndThen) {
  auto c = create();
  clock_.advance(2h);
  auto login_at = clock_.now();
  ASSERT_TRUE(service_->verify_login(c.account.user, c.password));
  // The touch is written in the background: wait for it.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (service_->get(c.account.user)->last_used_at != login_at) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the login was not recorded";
    std::this_thread::sleep_for(5ms);
  }
  // Within the touch interval a login writes nothing.
  clock_.advance(10s);
  ASSERT_TRUE(service_->verify_login(c.account.user, c.password));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(service_->get(c.account.user)->last_used_at, login_at);
}

TEST_F(AccountServiceTest, ListsNewestFirstInPages) {
  std::vector<std::string> created;
  for (int i = 0; i < 3; ++i) created.push_back(create().account.user);
  auto first = service_->list(0, 2);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].user, created[2]);
  EXPECT_EQ((*first)[1].user, created[1]);
  auto second = service_->list(first->back().id, 2);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].user, created[0]);
}

}  // namespace
}  // namespace postern::inbox
