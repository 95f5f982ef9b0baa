// API keys bound to a test account (docs/inbox.md "Sending over HTTP")
// through the whole Api on a real SQLite store: made by POST /v1/keys or
// POST /v1/test-accounts, listed with their account, sending only mail that
// is caught for it, refused over its quota, and gone with the account.
#include "inbox_api_fixture.h"

namespace postern::http {
namespace {

class BoundKeysApiTest : public InboxApiFixture {
 protected:
  // A new account with a bound key: its user and the key's secret.
  std::pair<std::string, std::string> account_with_key(
      const std::string& body = R"({"api_key": true})") {
    auto a = call("POST", "/v1/test-accounts", body);
    EXPECT_EQ(a.status, 201) << json::serialize(a.body);
    if (a.status != 201) return {};
    const auto& key = a.body.at("api_key");
    return {std::string(a.body.at("user").as_string()), std::string(key.at("secret").as_string())};
  }

  // The messages queued so far, as a worker leases them.
  std::vector<store::LeasedMessage> queued() {
    return test::await_completion<std::vector<store::LeasedMessage>>(
               [&](auto done) { store_->lease("test", clock_.now(), 30s, 100, done); })
        .value();
  }

  static constexpr const char* kMessage =
      R"({"from": "app@staging.test", "to": ["someone@example.org"], "subject": "Hi",
          "text": "Hello"})";
};

TEST_F(BoundKeysApiTest, CreatingAnAccountWithAKeyAnswersItsSecretOnce) {
  auto a = call("POST", "/v1/test-accounts", R"({"api_key": true, "quota": "1MiB"})");
  ASSERT_EQ(a.status, 201) << json::serialize(a.body);
  std::string user(a.body.at("user").as_string());
  const auto& key = a.body.at("api_key").as_object();
  EXPECT_EQ(key.at("name").as_string(), user + ".key");
  EXPECT_EQ(key.at("scopes"), (json::array{"send"}));
  EXPECT_TRUE(key.at("secret").as_string().starts_with("pst_"));
  EXPECT_TRUE(a.body.at("password").is_string());  // the account's settings are all there
  EXPECT_EQ(a.body.at("quota_bytes"), 1024 * 1024);
  EXPECT_FALSE(call("POST", "/v1/test-accounts").body.as_object().contains("api_key"));
  EXPECT_FALSE(call("POST", "/v1/test-accounts", R"({"api_key": false})")
                   .body.as_object()
                   .contains("api_key"));
  auto bad = call("POST", "/v1/test-accounts", R"({"api_key": "yes"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(field_of(bad), "api_key");

  // Listed with its account; the secret never again.
  auto admin = create_key("ops", {"admin"});
  auto keys = call("GET", "/v1/keys", "", admin);
  ASSERT_EQ(keys.status, 200);
  const auto& data = keys.body.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  // By name: "ops" and "<user>.key", in whichever order the names sort.
  bool ops_first = data.at(0).at("name").as_string() == "ops";
  const auto& bound = data.at(ops_first ? 1 : 0).as_object();
  EXPECT_EQ(bound.at("name").as_string(), user + ".key");
  EXPECT_EQ(bound.at("test_account").as_string(), user);
  EXPECT_FALSE(bound.contains("secret"));
  EXPECT_TRUE(data.at(ops_first ? 0 : 1).at("test_account").is_null());
}

TEST_F(BoundKeysApiTest, TheAdminApiBindsAKeyToAnAccountByName) {
  auto admin = create_key("ops", {"send", "admin"});
  std::string user(call("POST", "/v1/test-accounts", "", admin).body.at("user").as_string());
  auto made =
      call("POST", "/v1/keys", R"({"name": "staging", "test_account": ")" + user + "\"}", admin);
  ASSERT_EQ(made.status, 201) << json::serialize(made.body);
  EXPECT_EQ(made.body.at("test_account").as_string(), user);
  EXPECT_EQ(made.body.at("scopes"), (json::array{"send"}));
  EXPECT_TRUE(
      call("POST", "/v1/keys", R"({"name": "plain"})", admin).body.at("test_account").is_null());

  for (auto [body, status, field] : {
           std::tuple{R"({"name": "k1", "test_account": "nobody-here-0000"})", 422, "test_account"},
           std::tuple{R"({"name": "k2", "test_account": 7})", 422, "test_account"},
           std::tuple{R"({"name": "k3", "test_account": ""})", 422, "test_account"},
       }) {
    auto r = call("POST", "/v1/keys", body, admin);
    EXPECT_EQ(r.status, status) << body;
    EXPECT_EQ(field_of(r), field) << body;
  }
  auto wide =
      call("POST", "/v1/keys",
           R"({"name": "k4", "scopes": ["send", "read"], "test_account": ")" + user + "\"}", admin);
  EXPECT_EQ(wide.status, 422);
  EXPECT_EQ(field_of(wide), "scopes");
  EXPECT_EQ(wide.body.at("error").at("message").as_string(),
            "a key bound to a test account has the send scope only");
  EXPECT_EQ(call("GET", "/v1/keys", "", admin).body.at("data").as_array().size(), 3u);
}

TEST_F(BoundKeysApiTest, ABoundKeysMailIsCaughtForItsAccountAndItMayOnlySend) {
  auto [user, secret] = account_with_key();
  auto other = call("POST", "/v1/test-accounts").body.at("user").as_string();
  // A bound key alone does not close the door to loopback callers.
  EXPECT_EQ(call("GET", "/v1/messages").status, 200);

  auto sent = call("POST", "/v1/messages", kMessage, secret);
  ASSERT_EQ(sent.status, 202) << json::serialize(sent.body);
  auto plain = call("POST", "/v1/messages", kMessage);
  ASSERT_EQ(plain.status, 202);
  auto leased = queued();
  ASSERT_EQ(leased.size(), 2u);
  auto id = store_->inbox().account_by_user(user)->id;
  for (const auto& m : leased) {
    bool bound = m.id.to_string() == sent.body.at("id").as_string();
    EXPECT_EQ(m.catch_account, bound ? id : 0);
  }

  // Send only: nothing to read, no keys to manage, and never another account's mail.
  EXPECT_EQ(call("GET", "/v1/messages", "", secret).status, 403);
  EXPECT_EQ(call("GET", "/v1/keys", "", secret).status, 403);
  EXPECT_EQ(call("GET", "/v1/test-accounts/" + user + "/messages", "", secret).status, 403);
  EXPECT_EQ(
      call("DELETE", "/v1/test-accounts/" + std::string(other) + "/messages", "", secret).status,
      403);
  EXPECT_EQ(call("DELETE", "/v1/test-accounts/" + user + "/messages", "", secret).status, 200);
}

TEST_F(BoundKeysApiTest, OverItsQuotaAKeyGets507AndNothingIsStored) {
  intake_->check_quota_with(store_->inbox());
  auto [user, secret] = account_with_key(R"({"api_key": true, "quota": 100})");
  std::string big = R"({"from": "app@staging.test", "to": ["x@example.org"], "subject": "Big",
                        "text": ")" +
                    std::string(200, 'x') + "\"}";
  auto r = call("POST", "/v1/messages", big, secret);
  ASSERT_EQ(r.status, 507) << json::serialize(r.body);
  EXPECT_EQ(r.body.at("error").at("code").as_string(), "quota_exceeded");
  auto message = std::string(r.body.at("error").at("message").as_string());
  EXPECT_TRUE(
      message.starts_with("test account '" + user + "' is over its quota of 100 bytes (0 used"))
      << message;
  EXPECT_TRUE(queued().empty());
  EXPECT_EQ(store_->inbox().account_by_user(user)->used_bytes, 0u);
  // Raw messages take the same door.
  auto raw = call_with("POST", "/v1/messages", "Bearer " + secret,
                       "From: app@staging.test\r\nTo: x@example.org\r\nSubject: Big\r\n\r\n" +
                           std::string(200, 'y') + "\r\n",
                       nullptr, "message/rfc822")
                 .first;
  EXPECT_EQ(raw.status, 507) << json::serialize(raw.body);
  EXPECT_EQ(raw.body.at("error").at("code").as_string(), "quota_exceeded");
  // A message that fits is taken.
  auto small = call_with("POST", "/v1/messages", "Bearer " + secret,
                         "From: a@staging.test\r\nTo: x@example.org\r\n\r\nok\r\n", nullptr,
                         "message/rfc822")
                   .first;
  EXPECT_EQ(small.status, 202) << json::serialize(small.body);
  EXPECT_EQ(queued().size(), 1u);
}

TEST_F(BoundKeysApiTest, DeletingTheAccountStopsItsKeys) {
  auto [user, secret] = account_with_key();
  ASSERT_EQ(call("POST", "/v1/messages", kMessage, secret).status, 202);
  EXPECT_EQ(call("DELETE", "/v1/test-accounts/" + user).status, 204);
  auto r = call("POST", "/v1/messages", kMessage, secret);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(field_of(r), "Authorization");
  EXPECT_TRUE(store_->list_api_keys()->empty());
}

}  // namespace
}  // namespace postern::http
