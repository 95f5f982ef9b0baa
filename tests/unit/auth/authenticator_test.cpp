#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include "auth/api_keys.h"
#include "auth/credentials.h"
#include "store/inbox_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace postern::auth {
namespace {

using namespace std::chrono_literals;

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(init_crypto());
    auto s = store::sqlite::SqliteStore::open({dir_.file("a.db")}, clock_, metrics_);
    ASSERT_TRUE(s);
    inbox_ = &(*s)->inbox();
    store_ = std::move(*s);
    auth_ = std::make_unique<Authenticator>(*store_, clock_, 2s);
  }

  std::string create_key(const std::string& name, std::vector<std::string> scopes,
                         std::int64_t catch_account = 0) {
    auto secret = generate_api_secret();
    store::StoredApiKey k{{name, std::move(scopes), clock_.now(), catch_account},
                          hash_api_secret(secret)};
    EXPECT_TRUE(test::await_completion<void>([&](auto done) { store_->create_api_key(k, done); }));
    return secret;
  }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::Store> store_;
  store::InboxStore* inbox_ = nullptr;  // store_'s
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, LoopbackIsTrustedOnlyWhileNoKeyExists) {
  EXPECT_TRUE(auth_->open_to_loopback().value());
  create_key("first", {"send"});
  // No refresh period to wait for: the door closes for the next request.
  EXPECT_FALSE(auth_->open_to_loopback().value());
}

TEST_F(AuthenticatorTest, KeysAuthenticateWithTheirScopes) {
  auto secret = create_key("app", {"send", "read"});
  auto p = auth_->authenticate_key(secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "app");
  EXPECT_TRUE(p->scopes.has(Scope::send));
  EXPECT_TRUE(p->scopes.has(Scope::read));
  EXPECT_FALSE(p->scopes.has(Scope::admin));
  EXPECT_FALSE(auth_->authenticate_key(secret + "x"));
  EXPECT_FALSE(auth_->authenticate_key(""));
  // The second check is answered from the cache, with the same result.
  EXPECT_EQ(auth_->authenticate_key(secret)->name, "app");
}

TEST_F(AuthenticatorTest, AKeyMadeElsewhereWorksAtOnceAfterAWrongSecret) {
  create_key("first", {"send"});
  // A wrong secret forces a refresh; the clock stands still, so another
  // forced refresh would be refused as too soon.
  EXPECT_FALSE(auth_->authenticate_key("pst_wrong"));
  auto secret = create_key("made-by-the-cli", {"send"});
  auto p = auth_->authenticate_key(secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "made-by-the-cli");
  EXPECT_FALSE(auth_->authenticate_key("pst_still_wrong"));
}

TEST_F(AuthenticatorTest, ADeletedKeyStopsWorkingAfterTheRefreshPeriod) {
  auto secret = create_key("app", {"send"});
  ASSERT_TRUE(auth_->authenticate_key(secret));
  ASSERT_TRUE(
      test::await_completion<void>([&](auto done) { store_->delete_api_key("app", done); }));
  clock_.advance(2100ms);
  EXPECT_FALSE(auth_->authenticate_key(secret));
}

TEST_F(AuthenticatorTest, InvalidateSeesChangesAtOnce) {
  auto secret = create_key("app", {"send"});
  ASSERT_TRUE(auth_->authenticate_key(secret));
  ASSERT_TRUE(
      test::await_completion<void>([&](auto done) { store_->delete_api_key("app", done); }));
  auth_->invalidate();
  EXPECT_FALSE(auth_->authenticate_key(secret));
}

TEST_F(AuthenticatorTest, SmtpLoginWithAKeyOrAUser) {
  auto secret = create_key("mailer", {"send"});
  EXPECT_EQ(auth_->authenticate_login("mailer", secret)->kind, Principal::Kind::api_key);
  EXPECT_FALSE(auth_->authenticate_login("mailer", "wrong"));
  auto hash = hash_password("s3cret-pass");
  ASSERT_TRUE(hash);
  store::SmtpUser user{"printer", *hash, {"send"}, clock_.now()};
  ASSERT_TRUE(
      test::await_completion<void>([&](auto done) { store_->create_smtp_user(user, done); }));
  auto p = auth_->authenticate_login("printer", "s3cret-pass");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, Principal::Kind::smtp_user);
  EXPECT_TRUE(p->scopes.has(Scope::send));
  EXPECT_FALSE(auth_->authenticate_login("printer", "S3cret-pass"));
  EXPECT_FALSE(auth_->authenticate_login("nobody", "s3cret-pass"));
}

// Test accounts are asked last, through the check the composition root
// gives (src/inbox's login check), and only for names no key or user has.
TEST_F(AuthenticatorTest, TestAccountsLogInAfterKeysAndUsers) {
  auto secret = create_key("mailer", {"send", "admin"});
  // One account, id 7; records every check.
  struct Logins final : AccountLogins {
    Result<store::InboxAccount> verify_login(std::string_view user,
                                             std::string_view password) override {
      asked.emplace_back(user);
      if (user != "brave-otter-4821" || password != "right") return error_code(Errc::not_found);
      store::InboxAccount account;
      account.id = 7;
      account.user = std::string(user);
      return account;
    }
    std::vector<std::string> asked;
  } logins;
  auth_->accept_test_accounts(logins);
  auto p = auth_->authenticate_login("brave-otter-4821", "right");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, Principal::Kind::test_account);
  EXPECT_EQ(p->catch_account, 7);
  EXPECT_EQ(p->name, "brave-otter-4821");
  EXPECT_TRUE(p->scopes.has(Scope::send));
  EXPECT_FALSE(p->scopes.has(Scope::admin));
  EXPECT_FALSE(auth_->authenticate_login("brave-otter-4821", "wrong"));
  // A key's name never reaches the test accounts, right password or wrong.
  EXPECT_EQ(auth_->authenticate_login("mailer", secret)->catch_account, 0);
  EXPECT_FALSE(auth_->authenticate_login("mailer", "wrong"));
  EXPECT_EQ(logins.asked, (std::vector<std::string>{"brave-otter-4821", "brave-otter-4821"}));
}

// A key bound to a test account (docs/inbox.md "Sending over HTTP"): it
// may only send, its mail is caught for the account, and it does not
// close the door to loopback callers, over HTTP or SMTP AUTH alike.
TEST_F(AuthenticatorTest, BoundKeysSendOnlyForTheirAccount) {
  store::NewInboxAccount account;
  account.user = "brave-otter-4821";
  account.address = "brave-otter-4821@inbox.example.test";
  account.password_hash = "$argon2id$fake";
  auto alice = test::await_completion<store::InboxAccount>(
      [&](auto done) { inbox_->create_account(account, done); });
  ASSERT_TRUE(alice);
  // Scopes beyond send in its row (written by hand, say) grant nothing.
  auto secret = create_key("staging", {"send", "admin"}, alice->id);
  EXPECT_TRUE(auth_->open_to_loopback().value());
  for (auto p : {auth_->authenticate_key(secret), auth_->authenticate_login("staging", secret)}) {
    ASSERT_TRUE(p);
    EXPECT_EQ(p->kind, Principal::Kind::api_key);
    EXPECT_EQ(p->name, "staging");
    EXPECT_EQ(p->catch_account, alice->id);
    EXPECT_EQ(p->scopes.names(), (std::vector<std::string>{"send"}));
  }
  // Deleting the account deletes the key: it stops working.
  ASSERT_TRUE(
      test::await_completion<void>([&](auto done) { inbox_->delete_account(alice->id, done); }));
  auth_->invalidate();
  EXPECT_FALSE(auth_->authenticate_key(secret));
  EXPECT_FALSE(auth_->authenticate_login("staging", secret));
}

TEST(MakeApiKey, KeepsOnlyTheHashAndBindsSendOnlyKeys) {
  ASSERT_TRUE(init_crypto());
  Scopes send;
  send.add(Scope::send);
  auto bound = make_api_key("staging", send, 7, SystemTime{});
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->stored.key.catch_account, 7);
  EXPECT_EQ(bound->stored.key.scopes, (std::vector<std::string>{"send"}));
  EXPECT_EQ(bound->stored.secret_hash, hash_api_secret(bound->secret));
  EXPECT_NE(make_api_key("b", send, 7, SystemTime{})->secret, bound->secret);
  auto wider = send;
  wider.add(Scope::read);
  EXPECT_EQ(make_api_key("x", wider, 7, SystemTime{}).error().message,
            "a key bound to a test account has the send scope only");
  EXPECT_FALSE(make_api_key("x", Scopes(), 7, SystemTime{}));
  EXPECT_EQ(make_api_key("ops", Scopes::all(), 0, SystemTime{})->stored.key.scopes,
            Scopes::all().names());
  EXPECT_EQ(account_key_name("brave-otter-4821"), "brave-otter-4821.key");
}

TEST(Scopes, ParseKnownNamesOnly) {
  auto s = parse_scopes({"send", "admin"});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->names(), (std::vector<std::string>{"send", "admin"}));
  EXPECT_FALSE(parse_scopes({"send", "root"}));
  auto beat = parse_scopes({"heartbeat"});
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->names(), std::vector<std::string>{"heartbeat"});
  EXPECT_EQ(Scopes::all().names(),
            (std::vector<std::string>{"send", "read", "admin", "heartbeat"}));
}

TEST(Scopes, AdminGrantsHeartbeatsAndHeartbeatGrantsNothingElse) {
  auto admin = *parse_scopes({"admin"});
  EXPECT_TRUE(admin.grants(Scope::heartbeat));  // keys made before the heartbeat scope keep beating
  EXPECT_FALSE(admin.grants(Scope::read));
  auto beat = *parse_scopes({"heartbeat"});
  EXPECT_TRUE(beat.grants(Scope::heartbeat));
  for (auto other : {Scope::send, Scope::read, Scope::admin})
    EXPECT_FALSE(beat.grants(other)) << to_string(other);
}

// Keys that expire and are rotated (store migration 16): a key past its
// expiry, and a previous secret past its grace period, are refused as
// expired, not unknown; the new secret works at once.
TEST_F(AuthenticatorTest, ExpiredKeysAreRefusedAsExpired) {
  auto key = make_api_key("temp", Scopes::all(), 0, clock_.now(), 1h);
  ASSERT_TRUE(key);
  EXPECT_TRUE(
      test::await_completion<void>([&](auto done) { store_->create_api_key(key->stored, done); }));
  EXPECT_EQ(auth_->check_key(key->secret).status, KeyCheck::Status::valid);
  clock_.advance(1h);
  auto check = auth_->check_key(key->secret);
  EXPECT_EQ(check.status, KeyCheck::Status::expired);
  EXPECT_EQ(check.principal.name, "temp");
  EXPECT_FALSE(auth_->authenticate_login("temp", key->secret));
  EXPECT_EQ(auth_->check_key("pst_unknown").status, KeyCheck::Status::unknown);
}

TEST_F(AuthenticatorTest, ARotatedKeysOldSecretWorksForTheGracePeriod) {
  auto old_secret = create_key("app", {"send"});
  ASSERT_TRUE(auth_->authenticate_key(old_secret));
  auto rotated = rotate_api_key(clock_.now(), 24h);
  ASSERT_TRUE(rotated);
  EXPECT_TRUE(test::await_completion<void>([&](auto done) {
    store_->rotate_api_key("app", rotated->secret_hash, rotated->previous_valid_until, done);
  }));
  auth_->invalidate();
  EXPECT_EQ(auth_->authenticate_key(rotated->secret)->name, "app");
  EXPECT_EQ(auth_->authenticate_key(old_secret)->name, "app");
  EXPECT_EQ(auth_->authenticate_login("app", old_secret)->name, "app");
  clock_.advance(24h);
  EXPECT_EQ(auth_->check_key(old_secret).status, KeyCheck::Status::expired);
  EXPECT_FALSE(auth_->authenticate_login("app", old_secret));
  EXPECT_TRUE(auth_->authenticate_key(rotated->secret));
  auto listed = store_->list_api_keys();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key.previous_valid_until, rotated->previous_valid_until);
  EXPECT_FALSE((*listed)[0].key.previous_hash_valid_until(clock_.now()));
}

TEST_F(AuthenticatorTest, RotationRefusesAGraceOutOfBounds) {
  EXPECT_FALSE(rotate_api_key(clock_.now(), -1s));
  EXPECT_FALSE(rotate_api_key(clock_.now(), kMaxRotationGrace + 1h));
  EXPECT_TRUE(rotate_api_key(clock_.now(), 0s));
  EXPECT_FALSE(make_api_key("x", Scopes::all(), 0, clock_.now(), 0s));
}

// Uses are noted in memory, one entry per key however many requests, and
// written in one batch.
TEST_F(AuthenticatorTest, LastUseIsCoalescedAndWrittenInBatches) {
  auto secret = create_key("busy", {"send"});
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(auth_->authenticate_key(secret));
  auto uses = auth_->take_key_uses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].name, "busy");
  EXPECT_TRUE(auth_->take_key_uses().empty());
  EXPECT_TRUE(
      test::await_completion<void>([&](auto done) { store_->record_api_key_use(uses, done); }));
  auto listed = store_->list_api_keys();
  ASSERT_TRUE(listed);
  EXPECT_EQ((*listed)[0].key.last_used_at, from_unix_ms(to_unix_ms(clock_.now())));
}

}  // namespace
}  // namespace postern::auth
