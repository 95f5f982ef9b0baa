// The whole Api (routing, keys and scopes, handlers) over a real SQLite
// store with the test inbox on: the fixture of the inbox's HTTP tests.
#pragma once

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

namespace json = boost::json;
using namespace std::chrono_literals;

struct Answer {
  int status = 0;
  json::value body;
};

class InboxApiFixture : public ::testing::Test {
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
      services.inbox = &store_->inbox();
    }
    return std::make_unique<Api>(std::move(services));
  }

  Answer call(std::string method, std::string target, std::string body = "", std::string key = "",
              Api* api = nullptr) {
    return call_with(std::move(method), std::move(target), key.empty() ? "" : "Bearer " + key,
                     std::move(body), api)
        .first;
  }

  // The answer and its raw response, with `authorization` as the header
  // (and `content_type`, unless empty).
  std::pair<Answer, net::HttpResponse> call_with(std::string method, std::string target,
                                                 std::string authorization, std::string body = "",
                                                 Api* api = nullptr,
                                                 std::string content_type = "") {
    net::HttpHeaders headers{{"Host", "mail.example.test:8025"}};
    if (!authorization.empty()) headers.emplace_back("Authorization", std::move(authorization));
    if (!content_type.empty()) headers.emplace_back("Content-Type", std::move(content_type));
    return exchange(test::http_request(std::move(method), std::move(target), std::move(headers),
                                       std::move(body)),
                    api);
  }

  // Hands `r` to the Api as from loopback; the answer and its raw response.
  std::pair<Answer, net::HttpResponse> exchange(net::HttpRequest r, Api* api = nullptr) {
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
    if (response.content_type == "application/json" && !response.body.empty())
      out.body = json::parse(response.body);
    return {out, response};
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

}  // namespace postern::http
