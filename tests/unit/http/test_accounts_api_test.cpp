// POST/GET/DELETE /v1/test-accounts and Nodemailer's POST /user through the
// whole Api (routing, keys and scopes, handlers) on a real SQLite store.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "auth/credentials.h"
#include "delivery/intake.h"
#include "http/api.h"
#include "inbox/accounts.h"
#include "inbox/client_settings.h"
#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/http_request.h"
#include "support/sqlite_store.h"

namespace postern::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct Answer {
  int status = 0;
  json::value body;
};

class TestAccountsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(auth::init_crypto());
    store_ = test::open_sqlite_store(dir_, clock_, metrics_);
    ASSERT_TRUE(store_);
    intake_ = std::make_unique<delivery::Intake>(*store_, metrics_, [] {});
    authenticator_ = std::make_unique<auth::Authenticator>(*store_, clock_);
    inbox::InboxOptions options;
    options.domain = "inbox.example.test";
    accounts_ = std::make_unique<inbox::AccountService>(store_->inbox(), clock_, options);
    inbox::ClientSettings settings;
    settings.smtp = inbox::endpoint_of("127.0.0.1:2525", 2525, false, true);
    settings.imap = inbox::endpoint_of(inbox::kDefaultImapListen, 1143, false, false);
    settings.pop3 = inbox::endpoint_of(inbox::kDefaultPop3Listen, 1110, false, false);
    settings.http = inbox::endpoint_of("0.0.0.0:8025", 8025, false, true);
    board_.set(settings);
    api_ = make_api(true);
  }

  std::unique_ptr<Api> make_api(bool with_inbox) {
    ApiServices services{*store_,         *intake_,     *authenticator_,     metrics_, clock_,
                         MessageLimits{}, ApiOptions{}, [] { return true; }, [] {}};
    if (with_inbox) {
      services.accounts = accounts_.get();
      services.client_settings = &board_;
    }
    return std::make_unique<Api>(std::move(services));
  }

  Answer call(std::string method, std::string target, std::string body = "", std::string key = "",
              Api* api = nullptr) {
    net::HttpHeaders headers{{"Host", "mail.example.test:8025"}};
    if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
    auto r = test::http_request(std::move(method), std::move(target), std::move(headers),
                                std::move(body));
    r.remote_address = "127.0.0.1";
    r.remote_is_loopback = true;
    auto answered = std::make_shared<std::promise<net::HttpResponse>>();
    auto future = answered->get_future();
    (api ? api : api_.get())
        ->handle(std::move(r), net::Responder(std::make_shared<net::Responder::State>(
                                   [answered](net::HttpResponse a) { answered->set_value(a); })));
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready);
    auto response = future.get();
    Answer out{response.status, nullptr};
    if (!response.body.empty()) out.body = json::parse(response.body);
    return out;
  }

  std::string create_key(const std::string& name, std::vector<std::string> scopes) {
    auto secret = auth::generate_api_secret();
    store::StoredApiKey k{{name, std::move(scopes), clock_.now()}, auth::hash_api_secret(secret)};
    EXPECT_TRUE(test::await_completion<void>([&](auto done) { store_->create_api_key(k, done); }));
    authenticator_->invalidate();
    return secret;
  }

  static std::string field_of(const Answer& a) {
    const auto& field = a.body.at("error").at("field");
    return field.is_null() ? "" : std::string(field.as_string());
  }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<delivery::Intake> intake_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<inbox::AccountService> accounts_;
  inbox::ClientSettingsBoard board_;
  std::unique_ptr<Api> api_;
};

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
