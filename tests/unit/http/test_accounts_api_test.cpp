// POST/GET/DELETE /v1/test-accounts and Nodemailer's POST /user through the
// whole Api (routing, keys and scopes, handlers) on a real SQLite store.
#include "inbox_api_fixture.h"

namespace postern::http {
namespace {

class TestAccountsApiTest : public InboxApiFixture {};

TEST_F(TestAccountsApiTest, CreateAnswersTheAccountItsPasswordAndTheSettingsToUse) {
  auto a = call("POST", "/v1/test-accounts");
  ASSERT_EQ(a.status, 201) << json::serialize(a.body);
  const auto& o = a.body.as_object();
  std::string user(o.at("user").as_string());
  EXPECT_EQ(o.at("address").as_string(), user + "@inbox.example.test");
  EXPECT_EQ(o.at("password").as_string().size(), 24u);
  EXPECT_EQ(o.at("retention_seconds").to_number<std::int64_t>(), 7 * 24 * 3600);
  EXPECT_EQ(o.at("quota_bytes").to_number<std::int64_t>(), 100 * 1024 * 1024);
  EXPECT_EQ(o.at("used_bytes").to_number<std::int64_t>(), 0);
  EXPECT_EQ(
      o.at("smtp"),
      (json::value{{"host", "127.0.0.1"}, {"port", 2525}, {"secure", false}, {"live", true}}));
  EXPECT_EQ(
      o.at("imap"),
      (json::value{{"host", "127.0.0.1"}, {"port", 1143}, {"secure", false}, {"live", false}}));
  EXPECT_EQ(o.at("pop3").at("port"), 1110);
  // The HTTP listener is on 0.0.0.0: the client is told the name it used.
  EXPECT_EQ(o.at("web").as_string(), "http://mail.example.test:8025");
  // The password logs in.
  EXPECT_TRUE(accounts_->verify_login(user, std::string(o.at("password").as_string())));
}

TEST_F(TestAccountsApiTest, CreateTakesRetentionAndQuotaAsTextOrNumbers) {
  auto a = call("POST", "/v1/test-accounts", R"({"retention": "1d", "quota": 65536})");
  ASSERT_EQ(a.status, 201) << json::serialize(a.body);
  EXPECT_EQ(a.body.at("retention_seconds").to_number<std::int64_t>(), 86400);
  EXPECT_EQ(a.body.at("quota_bytes").to_number<std::int64_t>(), 65536);
  auto b = call("POST", "/v1/test-accounts", R"({"retention": 3600, "quota": "1MiB"})");
  ASSERT_EQ(b.status, 201);
  EXPECT_EQ(b.body.at("retention_seconds").to_number<std::int64_t>(), 3600);
  EXPECT_EQ(b.body.at("quota_bytes").to_number<std::int64_t>(), 1024 * 1024);
}

TEST_F(TestAccountsApiTest, BadRequestsAreRefusedNamingTheField) {
  for (auto [body, field] : {
           std::pair{R"({"retention": "forever"})", "retention"},
           std::pair{R"({"retention": "30d"})", "retention"},
           std::pair{R"({"retention": -5})", "retention"},
           std::pair{R"({"retention": true})", "retention"},
           std::pair{R"({"quota": 0})", "quota"},
           std::pair{R"({"quota": "1GiB"})", "quota"},
           std::pair{R"({"quota": [1]})", "quota"},
           std::pair{R"({"password": "mine"})", "password"},
           std::pair{R"([1])", ""},
           std::pair{R"({"retention": )", ""},
       }) {
    auto a = call("POST", "/v1/test-accounts", body);
    EXPECT_EQ(a.status, 400) << body;
    EXPECT_EQ(field_of(a), field) << body;
  }
  EXPECT_EQ(accounts_->list(0, 10)->size(), 0u);  // nothing was created
}

TEST_F(TestAccountsApiTest, GetListAndDelete) {
  std::vector<std::string> users;
  for (int i = 0; i < 3; ++i)
    users.emplace_back(call("POST", "/v1/test-accounts").body.at("user").as_string());

  auto one = call("GET", "/v1/test-accounts/" + users[1]);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body.at("user").as_string(), users[1]);
  EXPECT_FALSE(one.body.as_object().contains("password"));

  auto page = call("GET", "/v1/test-accounts?limit=2");
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.body.at("data").as_array().size(), 2u);
  EXPECT_EQ(page.body.at("data").at(0).at("user").as_string(), users[2]);
  std::string cursor(page.body.at("next_cursor").as_string());
  auto rest = call("GET", "/v1/test-accounts?limit=2&cursor=" + cursor);
  ASSERT_EQ(rest.body.at("data").as_array().size(), 1u);
  EXPECT_EQ(rest.body.at("data").at(0).at("user").as_string(), users[0]);
  EXPECT_TRUE(rest.body.at("next_cursor").is_null());
  EXPECT_EQ(field_of(call("GET", "/v1/test-accounts?limit=0")), "limit");
  EXPECT_EQ(field_of(call("GET", "/v1/test-accounts?cursor=x")), "cursor");

  EXPECT_EQ(call("DELETE", "/v1/test-accounts/" + users[1]).status, 204);
  auto gone = call("GET", "/v1/test-accounts/" + users[1]);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(field_of(gone), "user");
  EXPECT_EQ(gone.body.at("error").at("message").as_string(),
            "no test account named '" + users[1] + "'");
  EXPECT_EQ(call("DELETE", "/v1/test-accounts/" + users[1]).status, 404);
  EXPECT_EQ(call("GET", "/v1/test-accounts").body.at("data").as_array().size(), 2u);
}

TEST_F(TestAccountsApiTest, TheCatchAllInboxNeverExpires) {
  store::NewInboxAccount catch_all;
  catch_all.user = "catch-all";
  catch_all.address = "catch-all@inbox.example.test";
  catch_all.catch_all = true;
  ASSERT_TRUE(test::await_completion<store::InboxAccount>(
      [&](auto done) { store_->inbox().create_account(catch_all, done); }));
  auto a = call("GET", "/v1/test-accounts/catch-all");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body.at("catch_all"), true);
  EXPECT_TRUE(a.body.at("expires_at").is_null());
  auto created = call("POST", "/v1/test-accounts");
  EXPECT_TRUE(created.body.at("expires_at").is_string());
}

TEST_F(TestAccountsApiTest, EtherealUserAnswersWhatNodemailerReads) {
  auto a = call("POST", "/user", R"({"requestor": "nodemailer", "version": "6.9.16"})");
  ASSERT_EQ(a.status, 200) << json::serialize(a.body);
  const auto& o = a.body.as_object();
  EXPECT_EQ(o.at("status").as_string(), "success");
  EXPECT_FALSE(o.contains("error"));
  std::string user(o.at("user").as_string());
  EXPECT_TRUE(user.ends_with("@inbox.example.test")) << user;  // the address, as Ethereal's
  for (const char* service : {"smtp", "imap", "pop3"}) {
    const auto& e = o.at(service).as_object();
    EXPECT_EQ(e.size(), 3u) << service;  // host, port, secure: exactly Ethereal's
    EXPECT_TRUE(e.at("host").is_string() && e.at("port").is_number() && e.at("secure").is_bool());
  }
  EXPECT_EQ(o.at("smtp").at("port"), 2525);
  EXPECT_EQ(o.at("web").as_string(), "http://mail.example.test:8025");
  EXPECT_TRUE(accounts_->verify_login(user, std::string(o.at("pass").as_string())));
  // Nodemailer's body is optional here.
  EXPECT_EQ(call("POST", "/user").status, 200);

  auto bad = call("POST", "/user", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body,
            (json::value{{"status", "error"}, {"error", "the body must be a JSON object"}}));
}

TEST_F(TestAccountsApiTest, ScopesGuardEachRoute) {
  auto sender = create_key("app", {"send"});
  auto reader = create_key("viewer", {"read"});
  auto admin = create_key("ops", {"admin"});
  EXPECT_EQ(call("POST", "/v1/test-accounts").status, 401);  // loopback no longer trusted
  auto created = call("POST", "/v1/test-accounts", "", sender);
  ASSERT_EQ(created.status, 201);
  std::string user(created.body.at("user").as_string());
  EXPECT_EQ(call("POST", "/user", "{}", sender).status, 200);
  EXPECT_EQ(call("POST", "/user", "{}", reader).status, 403);
  EXPECT_EQ(call("GET", "/v1/test-accounts/" + user, "", reader).status, 200);
  EXPECT_EQ(call("GET", "/v1/test-accounts/" + user, "", sender).status, 403);
  EXPECT_EQ(call("GET", "/v1/test-accounts", "", reader).status, 403);
  EXPECT_EQ(call("GET", "/v1/test-accounts", "", admin).status, 200);
  EXPECT_EQ(call("DELETE", "/v1/test-accounts/" + user, "", sender).status, 403);
  EXPECT_EQ(call("DELETE", "/v1/test-accounts/" + user, "", admin).status, 204);
}

TEST_F(TestAccountsApiTest, ANodeWithoutTheInboxAnswers503) {
  auto without = make_api(false);
  EXPECT_EQ(call("POST", "/v1/test-accounts", "", "", without.get()).status, 503);
  EXPECT_EQ(call("GET", "/v1/test-accounts", "", "", without.get()).status, 503);
  auto ethereal = call("POST", "/user", "{}", "", without.get());
  EXPECT_EQ(ethereal.status, 503);
  EXPECT_EQ(ethereal.body.at("status").as_string(), "error");
}

}  // namespace
}  // namespace postern::http
