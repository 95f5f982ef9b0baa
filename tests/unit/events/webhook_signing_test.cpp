// Webhooks out without I/O: the Standard Webhooks signature against the
// specification's published vector, the payload's bytes, the retry
// schedule and what an attempt's answer comes to.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "events/webhook_attempt.h"
#include "events/webhook_payload.h"
#include "events/webhook_sender_config.h"
#include "events/webhook_signature.h"

namespace postern::events {
namespace {

using namespace std::chrono_literals;

TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  // The vector of the Standard Webhooks reference libraries.
  auto sig =
      webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                        1614265330, R"({"test": 2432232314})");
  ASSERT_TRUE(sig);
  EXPECT_EQ(*sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, RefusesSecretsThatAreNotWhsecBase64) {
  EXPECT_FALSE(webhook_signature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "id", 1, "{}"));
  EXPECT_FALSE(webhook_signature("whsec_", "id", 1, "{}"));
  EXPECT_FALSE(webhook_signature("whsec_not base64!", "id", 1, "{}"));
}

TEST(WebhookSignature, HeadersCarryTheEventIdAndTimestamp) {
  auto headers = webhook_headers("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 42, 1700000000, "{}");
  ASSERT_TRUE(headers);
  ASSERT_EQ(headers->size(), 3u);
  EXPECT_EQ((*headers)[0], (std::pair<std::string, std::string>{"webhook-id", "evt_42"}));
  EXPECT_EQ((*headers)[1],
            (std::pair<std::string, std::string>{"webhook-timestamp", "1700000000"}));
  EXPECT_EQ((*headers)[2].second, *webhook_signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                                     "evt_42", 1700000000, "{}"));
}

TEST(WebhookSignature, MakesSecretsOf24RandomBytesAndEndpointIds) {
  auto a = make_webhook_secret();
  auto b = make_webhook_secret();
  ASSERT_TRUE(a.starts_with("whsec_"));
  EXPECT_NE(a, b);
  auto key = base64_decode(a.substr(6));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 24u);
  EXPECT_TRUE(webhook_signature(a, "id", 1, "{}"));

  auto id = make_webhook_endpoint_id();
  ASSERT_EQ(id.size(), 23u);
  EXPECT_TRUE(id.starts_with("ep_"));
  for (char c : id.substr(3)) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << id;
  EXPECT_NE(id, make_webhook_endpoint_id());
}

store::WebhookEvent sample_event(std::string type) {
  store::WebhookEvent e;
  e.id = 7;
  e.type = std::move(type);
  e.message = MessageId(0x123456789abcdefULL);
  e.recipient = "bob@example.com";
  e.at = from_unix_ms(1700000000123);
  e.status = MessageStatus::sent;
  e.provider = "sendgrid";
  return e;
}

TEST(WebhookPayload, RecipientTypesCarryTheRecipientInAFixedShape) {
  auto e = sample_event("recipient.bounced");
  e.failure_class = "permanent";
  e.code = "550";
  e.detail = "no such user";
  EXPECT_EQ(webhook_payload(e),
            R"({"type":"recipient.bounced","timestamp":"2023-11-14T22:13:20.123Z","data":{)"
            R"("message_id":")" +
                e.message.to_string() +
                R"(","status":"sent","recipient":"bob@example.com","provider":"sendgrid",)"
                R"("class":"permanent","code":"550","detail":"no such user",)"
                R"("at":"2023-11-14T22:13:20.123Z"}})");
}

TEST(WebhookPayload, MessageTypesLeaveTheRecipientOutAndAreTheSameEveryTime) {
  auto e = sample_event("message.sent");
  auto body = webhook_payload(e);
  EXPECT_EQ(body.find("recipient"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("class":null,"code":null,"detail":null)"), std::string::npos) << body;
  EXPECT_EQ(body, webhook_payload(e));
}

TEST(WebhookRetry, FollowsTheScheduleScaledAndStopsAtRetryFor) {
  WebhookSenderOptions o;
  auto t0 = from_unix_ms(1700000000000);
  EXPECT_EQ(*webhook_retry_at(o, 1, t0, t0), t0 + 5s);
  EXPECT_EQ(*webhook_retry_at(o, 2, t0, t0 + 5s), t0 + 5s + 5min);
  EXPECT_EQ(*webhook_retry_at(o, 4, t0, t0 + 1h), t0 + 3h);
  // The last step repeats, but never past retry_for after the delivery was
  // queued: the last attempt is made then, and after it none.
  EXPECT_EQ(*webhook_retry_at(o, 9, t0, t0 + 20h), t0 + 24h);
  EXPECT_FALSE(webhook_retry_at(o, 10, t0, t0 + 24h));
  o.backoff_scale = 0.001;
  EXPECT_EQ(*webhook_retry_at(o, 1, t0, t0), t0 + 5ms);
  EXPECT_EQ(*webhook_retry_at(o, 2, t0, t0), t0 + 300ms);
}

TEST(WebhookAttempt, TwoHundredsDeliverOthersRetryOrFail) {
  WebhookSenderOptions o;
  store::WebhookDelivery d;
  d.id = 3;
  d.created_at = from_unix_ms(1700000000000);
  auto now = d.created_at + 1min;
  net::HttpClientResponse ok;
  ok.status = 204;
  auto delivered = webhook_attempt_outcome(o, d, ok, now, 1500us);
  EXPECT_TRUE(delivered.attempt.delivered);
  EXPECT_EQ(delivered.attempt.delivery_id, 3);
  EXPECT_EQ(delivered.attempt.latency, 1500us);
  EXPECT_EQ(delivered.result, "delivered");

  net::HttpClientResponse gone;
  gone.status = 410;
  gone.body = std::string(1000, 'x');
  auto g = webhook_attempt_outcome(o, d, gone, now, 1us);
  EXPECT_FALSE(g.attempt.delivered);
  EXPECT_TRUE(g.gone);
  EXPECT_EQ(g.attempt.status, 410);
  EXPECT_TRUE(g.attempt.error.starts_with("HTTP 410: xxx"));
  EXPECT_LE(g.attempt.error.size(), 500u);
  EXPECT_EQ(g.attempt.retry_at, now + 5s);
  EXPECT_EQ(g.result, "retry");

  Result<net::HttpClientResponse> refused(boost::system::in_place_error,
                                          make_error_code(net::HttpClientErrc::connection_refused));
  auto r = webhook_attempt_outcome(o, d, refused, d.created_at + 25h, 1us);
  EXPECT_EQ(r.attempt.status, 0);
  EXPECT_TRUE(r.attempt.error.starts_with("connection_refused")) << r.attempt.error;
  EXPECT_FALSE(r.attempt.retry_at);
  EXPECT_EQ(r.result, "failed");
}

}  // namespace
}  // namespace postern::events
