// The webhook endpoints routes through the whole Api over a WebhookStore in
// memory: create (the secret once), the 400s naming the field, list and
// read without secrets, disable and enable, the delivery log and redeliver.
#include <gtest/gtest.h>

#include "events/webhook_signature.h"
#include "inbox_api_fixture.h"
#include "support/fake_webhook_store.h"

namespace postern::http {
namespace {

class WebhookEndpointsApiTest : public InboxApiFixture {
 protected:
  void SetUp() override {
    InboxApiFixture::SetUp();
    ApiServices services{*store_,         *intake_,     *authenticator_,     metrics_, clock_,
                         MessageLimits{}, ApiOptions{}, [] { return true; }, [] {}};
    services.webhooks_out = &webhooks_;
    api_ = std::make_unique<Api>(std::move(services));
  }

  Answer api(std::string method, std::string target, std::string body = "") {
    return exchange(test::http_request(std::move(method), std::move(target), {}, std::move(body)))
        .first;
  }

  test::FakeWebhookStore webhooks_;
};

TEST_F(WebhookEndpointsApiTest, CreatesWithASecretShownOnceAndListsWithout) {
  auto made = api("POST", "/v1/webhook-endpoints",
                  R"({"url":"https://hooks.example.com/in","events":["message.sent"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto id = std::string(made.body.at("id").as_string());
  auto secret = std::string(made.body.at("secret").as_string());
  EXPECT_TRUE(id.starts_with("ep_"));
  EXPECT_TRUE(secret.starts_with("whsec_"));
  EXPECT_TRUE(events::webhook_signature(secret, "evt_1", 1, "{}"));
  EXPECT_EQ(made.body.at("events").at(0), "message.sent");
  EXPECT_EQ(made.body.at("enabled"), true);

  auto list = api("GET", "/v1/webhook-endpoints");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.at("data").as_array().size(), 1u);
  EXPECT_FALSE(list.body.at("data").at(0).as_object().contains("secret"));
  auto one = api("GET", "/v1/webhook-endpoints/" + id);
  ASSERT_EQ(one.status, 200);
  EXPECT_FALSE(one.body.as_object().contains("secret"));
  EXPECT_EQ(one.body.at("url"), "https://hooks.example.com/in");
  EXPECT_TRUE(one.body.at("failing_since").is_null());

  EXPECT_EQ(api("POST", "/v1/webhook-endpoints/" + id + "/disable").status, 204);
  auto off = api("GET", "/v1/webhook-endpoints/" + id);
  EXPECT_EQ(off.body.at("enabled"), false);
  EXPECT_EQ(off.body.at("disabled_reason"), "by request");
  EXPECT_EQ(api("POST", "/v1/webhook-endpoints/" + id + "/enable").status, 204);
  EXPECT_EQ(api("GET", "/v1/webhook-endpoints/" + id).body.at("enabled"), true);

  EXPECT_EQ(api("DELETE", "/v1/webhook-endpoints/" + id).status, 204);
  auto gone = api("DELETE", "/v1/webhook-endpoints/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(field_of(gone), "id");
  EXPECT_EQ(api("GET", "/v1/webhook-endpoints/" + id).status, 404);
}

TEST_F(WebhookEndpointsApiTest, RefusesBadUrlsAndUnknownEventsNamingTheField) {
  for (const char* body :
       {R"({"url":"ftp://x.example/"})", R"({"url":"https:///nohost"})", R"({"url":"not a url"})",
        R"({"url":"http://user:pw@x.example/"})", R"({"url":7})", R"({})"}) {
    auto r = api("POST", "/v1/webhook-endpoints", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(field_of(r), "url") << body;
  }
  auto unknown = api("POST", "/v1/webhook-endpoints",
                     R"({"url":"http://x.example/","events":["message.sent","message.lost"]})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(field_of(unknown), "events[1]");
  auto extra = api("POST", "/v1/webhook-endpoints", R"({"url":"http://x.example/","secret":"x"})");
  EXPECT_EQ(field_of(extra), "secret");
  EXPECT_EQ(field_of(api("POST", "/v1/webhook-endpoints", "[")), "body");
  EXPECT_TRUE(webhooks_.endpoints.empty());
}

TEST_F(WebhookEndpointsApiTest, ShowsTheDeliveryLogInPagesAndRedelivers) {
  auto made = api("POST", "/v1/webhook-endpoints", R"({"url":"http://x.example/"})");
  auto id = std::string(made.body.at("id").as_string());
  for (int i = 0; i < 3; ++i) {
    store::WebhookEvent e;
    e.type = "message.accepted";
    e.message = MessageId(static_cast<std::uint64_t>(i + 1) << 30);
    webhooks_.record_event(e);
  }
  webhooks_.fan_out(id, clock_.now(), 10, [](Result<std::size_t>) {});
  webhooks_.record_delivery_attempt({.delivery_id = 3,
                                     .at = clock_.now(),
                                     .status = 503,
                                     .error = "HTTP 503",
                                     .latency = std::chrono::microseconds(2500),
                                     .retry_at = clock_.now()},
                                    [](Result<void>) {});

  auto page = api("GET", "/v1/webhook-endpoints/" + id + "/deliveries?limit=2");
  ASSERT_EQ(page.status, 200) << page.body;
  const auto& data = page.body.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].at("id"), 3);
  EXPECT_EQ(data[0].at("event_id"), "evt_3");
  EXPECT_EQ(data[0].at("state"), "pending");
  EXPECT_EQ(data[0].at("attempts"), 1);
  EXPECT_EQ(data[0].at("last_status"), 503);
  EXPECT_EQ(data[0].at("last_error"), "HTTP 503");
  EXPECT_EQ(data[0].at("latency_ms"), 2.5);
  EXPECT_TRUE(data[1].at("last_status").is_null());
  auto next = page.body.at("next_before").as_int64();
  auto rest =
      api("GET", "/v1/webhook-endpoints/" + id + "/deliveries?before=" + std::to_string(next));
  ASSERT_EQ(rest.body.at("data").as_array().size(), 1u);
  EXPECT_EQ(rest.body.at("data").at(0).at("id"), 1);
  EXPECT_EQ(field_of(api("GET", "/v1/webhook-endpoints/" + id + "/deliveries?before=x")), "before");

  EXPECT_EQ(api("POST", "/v1/webhook-endpoints/" + id + "/deliveries/1/redeliver").status, 204);
  auto other = api("POST", "/v1/webhook-endpoints", R"({"url":"http://y.example/"})");
  auto other_id = std::string(other.body.at("id").as_string());
  // A delivery of another endpoint is not this one's.
  auto wrong = api("POST", "/v1/webhook-endpoints/" + other_id + "/deliveries/1/redeliver");
  EXPECT_EQ(wrong.status, 404);
  EXPECT_EQ(field_of(wrong), "delivery_id");
}

}  // namespace
}  // namespace postern::http
