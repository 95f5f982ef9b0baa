// The suppression list's routes through the whole Api (routing, scopes,
// handlers) over the in-memory cache of a fake EventStore, and intake's
// 202 naming the recipients it left out.
#include <gtest/gtest.h>

#include "delivery/suppression_cache.h"
#include "inbox_api_fixture.h"
#include "support/fake_event_store.h"

namespace postern::http {
namespace {

class SuppressionsApiTest : public InboxApiFixture {
 protected:
  void SetUp() override {
    InboxApiFixture::SetUp();
    ASSERT_TRUE(cache_.load());
    intake_->check_suppressions_with(cache_);
    ApiServices services{*store_,         *intake_,     *authenticator_,     metrics_, clock_,
                         MessageLimits{}, ApiOptions{}, [] { return true; }, [] {}};
    services.events = &cache_;
    api_ = std::make_unique<Api>(std::move(services));
  }

  // The answer to a request with these headers (loopback, no key unless
  // one is given).
  std::pair<Answer, net::HttpResponse> request(std::string method, std::string target,
                                               std::string body = "", net::HttpHeaders headers = {},
                                               std::string key = "") {
    if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
    return exchange(test::http_request(std::move(method), std::move(target), std::move(headers),
                                       std::move(body)));
  }

  Answer api(std::string method, std::string target, std::string body = "") {
    return request(std::move(method), std::move(target), std::move(body)).first;
  }

  test::FakeEventStore backend_;
  delivery::SuppressionCache cache_{backend_};
};

TEST_F(SuppressionsApiTest, AddOneLookItUpListAndRemoveIt) {
  auto added = api("POST", "/v1/suppressions",
                   R"({"address":"Ann@Example.ORG","reason":"complained","detail":"spam button"})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.body.at("added"), 1);

  // The domain's case does not matter, the local part's does.
  auto one = api("GET", "/v1/suppressions/Ann@example.org");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body.at("address"), "Ann@Example.ORG");
  EXPECT_EQ(one.body.at("reason"), "complained");
  EXPECT_EQ(one.body.at("detail"), "spam button");
  EXPECT_TRUE(one.body.at("provider").is_null());
  EXPECT_EQ(api("GET", "/v1/suppressions/ann@example.org").status, 404);

  auto again = api("POST", "/v1/suppressions", R"({"address":"Ann@example.org"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body.at("unchanged"), 1);

  EXPECT_EQ(api("DELETE", "/v1/suppressions/Ann%40example.org").status, 204);
  auto gone = api("DELETE", "/v1/suppressions/Ann@example.org");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(field_of(gone), "address");
}

TEST_F(SuppressionsApiTest, ListsInPagesWithACursor) {
  ASSERT_EQ(api("POST", "/v1/suppressions",
                R"([{"address":"a@x.org"},{"address":"b@x.org"},{"address":"c@x.org"}])")
                .status,
            201);
  auto first = api("GET", "/v1/suppressions?limit=2");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.body.at("data").as_array().size(), 2u);
  EXPECT_EQ(first.body.at("data").at(0).at("reason"), "manual");
  auto cursor = std::string(first.body.at("next_after").as_string());
  auto second = api("GET", "/v1/suppressions?limit=2&after=" + cursor);
  ASSERT_EQ(second.body.at("data").as_array().size(), 1u);
  EXPECT_EQ(second.body.at("data").at(0).at("address"), "c@x.org");
  EXPECT_TRUE(second.body.at("next_after").is_null());
  EXPECT_EQ(field_of(api("GET", "/v1/suppressions?limit=0")), "limit");
}

TEST_F(SuppressionsApiTest, RefusalsNameTheField) {
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  const Case cases[] = {
      {"{", 400, "body"},
      {R"({"reason":"manual"})", 422, "address"},
      {R"({"address":"not an address"})", 422, "address"},
      {R"({"address":"a@x.org","reason":"angry"})", 422, "reason"},
      {R"({"address":"a@x.org","color":"red"})", 422, "color"},
      {R"([{"address":"a@x.org"},{"address":7}])", 422, "[1].address"},
      {R"([])", 422, "body"},
  };
  for (const auto& c : cases) {
    auto a = api("POST", "/v1/suppressions", c.body);
    EXPECT_EQ(a.status, c.status) << c.body;
    EXPECT_EQ(field_of(a), c.field) << c.body;
  }
  EXPECT_TRUE(backend_.entries.empty()) << "a refused request adds nothing";
  auto bad_path = api("GET", "/v1/suppressions/no-at-sign");
  EXPECT_EQ(bad_path.status, 422);
  EXPECT_EQ(field_of(bad_path), "address");
  auto text = request("POST", "/v1/suppressions", "a@x.org", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.first.status, 415);
}

TEST_F(SuppressionsApiTest, CsvImportAndExportRoundTrip) {
  auto imported = request("POST", "/v1/suppressions",
                          "address,reason,provider,detail\r\n"
                          "a@x.org,bounced,mg-us,\"550, no such user\"\r\n"
                          "b@x.org,,,\r\n",
                          {{"Content-Type", "text/csv; charset=utf-8"}});
  ASSERT_EQ(imported.first.status, 201) << imported.second.body;
  EXPECT_EQ(imported.first.body.at("added"), 2);

  auto csv = request("GET", "/v1/suppressions.csv");
  ASSERT_EQ(csv.first.status, 200);
  EXPECT_EQ(csv.second.content_type, "text/csv; charset=utf-8");
  const auto& body = csv.second.body;
  EXPECT_EQ(body.rfind("address,reason,provider,message_id,detail,created_at\r\n", 0), 0u) << body;
  EXPECT_NE(body.find("a@x.org,bounced,mg-us,,\"550, no such user\","), std::string::npos) << body;
  EXPECT_NE(body.find("b@x.org,manual,,,,"), std::string::npos) << body;
  // The same by content negotiation.
  auto negotiated = request("GET", "/v1/suppressions", "", {{"Accept", "text/csv"}});
  EXPECT_EQ(negotiated.second.body, body);

  // What was exported imports again, unchanged.
  backend_.entries.clear();
  auto back = request("POST", "/v1/suppressions", body, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(back.first.status, 201);
  EXPECT_EQ(request("GET", "/v1/suppressions.csv").second.body, body);
}

TEST_F(SuppressionsApiTest, ABadCsvRowIsNamedAndNothingIsAdded) {
  auto a = request("POST", "/v1/suppressions", "address\r\nok@x.org\r\nbroken\r\n",
                   {{"Content-Type", "text/csv"}});
  EXPECT_EQ(a.first.status, 422);
  EXPECT_EQ(field_of(a.first), "row 3, address");
  EXPECT_TRUE(backend_.entries.empty());
}

TEST_F(SuppressionsApiTest, ReadingNeedsReadAndChangingNeedsAdmin) {
  auto reader = create_key("reader", {"read", "send"});
  auto admin = create_key("admin", {"admin"});
  EXPECT_EQ(request("GET", "/v1/suppressions", "", {}, reader).first.status, 200);
  EXPECT_EQ(request("GET", "/v1/suppressions.csv", "", {}, reader).first.status, 200);
  auto refused = request("POST", "/v1/suppressions", R"({"address":"a@x.org"})", {}, reader);
  EXPECT_EQ(refused.first.status, 403);
  EXPECT_EQ(request("DELETE", "/v1/suppressions/a@x.org", "", {}, reader).first.status, 403);
  EXPECT_EQ(request("POST", "/v1/suppressions", R"({"address":"a@x.org"})", {}, admin).first.status,
            201);
  EXPECT_EQ(request("GET", "/v1/suppressions/a@x.org", "", {}, admin).first.status, 403);
}

TEST_F(SuppressionsApiTest, TheAcceptedAnswerNamesTheSuppressedRecipients) {
  ASSERT_EQ(api("POST", "/v1/suppressions", R"({"address":"gone@x.org"})").status, 201);
  auto sent =
      api("POST", "/v1/messages",
          R"({"from":"app@x.org","to":["ok@x.org","gone@X.org"],"subject":"s","text":"t"})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(sent.body.at("suppressed"), json::array({"gone@X.org"}));
  auto clean = api("POST", "/v1/messages",
                   R"({"from":"app@x.org","to":"ok@x.org","subject":"s","text":"t"})");
  EXPECT_EQ(clean.body.at("suppressed"), json::array());
}

TEST_F(SuppressionsApiTest, WithoutAListTheRoutesAnswer503) {
  ApiServices services{*store_,         *intake_,     *authenticator_,     metrics_, clock_,
                       MessageLimits{}, ApiOptions{}, [] { return true; }, [] {}};
  api_ = std::make_unique<Api>(std::move(services));
  EXPECT_EQ(api("GET", "/v1/suppressions").status, 503);
}

}  // namespace
}  // namespace postern::http
