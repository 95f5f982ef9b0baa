// SendGrid's signed Event Webhook: an EC P-256 key pair made here signs
// timestamp + raw body as SendGrid does; batches, the sg_message_id
// prefix, and what is refused.
#include "providers/sendgrid/sendgrid_webhook.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "providers/webhook_crypto.h"
#include "providers/webhook_expect.h"

namespace postern::providers::sendgrid {
namespace {

using events::RecipientEventType;

const SystemTime kNow = SystemTime(std::chrono::seconds(1770920772));
constexpr std::string_view kTimestamp = "1770920770";

const test::TestKey& signing_key() {
  static const auto key = test::TestKey::ec("P-256");
  return key;
}

constexpr std::string_view kBatch = R"([
 {"email":"ann@example.com","timestamp":1770920700,"event":"delivered","sg_event_id":"ev-1",
  "sg_message_id":"14c5d75ce93.filter0001.16648.5515E0B88.0","response":"250 OK","postern_id":"01JID"},
 {"email":"bob@example.com","timestamp":1770920701,"event":"bounce","type":"bounce","sg_event_id":"ev-2",
  "sg_message_id":"14c5d75ce93.filter0001.16648.5515E0B88.1","status":"5.0.0","reason":"500 unknown recipient"},
 {"email":"cy@example.com","timestamp":1770920702,"event":"bounce","type":"blocked","sg_event_id":"ev-3",
  "sg_message_id":"14c5d75ce93.x.2"},
 {"email":"di@example.com","timestamp":1770920703,"event":"spamreport","sg_event_id":"ev-4","sg_message_id":"14c5d75ce93.y"},
 {"email":"ed@example.com","timestamp":1770920704,"event":"dropped","sg_event_id":"ev-5","sg_message_id":"14c5d75ce93.z","reason":"Bounced Address"},
 {"email":"fa@example.com","timestamp":1770920705,"event":"deferred","sg_event_id":"ev-6","sg_message_id":"14c5d75ce93.w"},
 {"email":"ann@example.com","timestamp":1770920706,"event":"open","sg_event_id":"ev-7","sg_message_id":"14c5d75ce93.v"},
 {"email":"ann@example.com","timestamp":1770920707,"event":"processed","sg_event_id":"ev-8"},
 {"email":"no-id@example.com","event":"delivered"},
 17
])";

struct SendGridWebhookTest : ::testing::Test {
  std::shared_ptr<const SendGridWebhookKey> key =
      SendGridWebhookKey::parse(signing_key().public_der_base64()).value();

  net::HttpHeaders signed_headers(std::string_view body, std::string_view timestamp = kTimestamp) {
    auto signature = signing_key().sign(std::string(timestamp) + std::string(body));
    return {{"Content-Type", "application/json"},
            {"X-Twilio-Email-Event-Webhook-Signature", base64_encode(signature)},
            {"X-Twilio-Email-Event-Webhook-Timestamp", std::string(timestamp)}};
  }
  WebhookResult run(const net::HttpHeaders& headers, std::string_view body) {
    return parse_sendgrid_webhook(*key, WebhookRequest{headers, body, kNow});
  }
};

TEST_F(SendGridWebhookTest, AGenuineBatchBecomesOneEventPerDeliveryReport) {
  auto r = run(signed_headers(kBatch), kBatch);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->events.size(), 6u);
  EXPECT_EQ(r->ignored, 4u);  // open, processed, no sg_event_id, not an object
  test::expect_event(r->events[0], {.dedupe_key = "ev-1",
                                    .provider_message_id = "14c5d75ce93",
                                    .postern_id = "01JID",
                                    .recipient = "ann@example.com",
                                    .type = RecipientEventType::delivered,
                                    .at = SystemTime(std::chrono::seconds(1770920700)),
                                    .detail = "250 OK"});
  EXPECT_EQ(r->events[1].type, RecipientEventType::bounced);
  EXPECT_EQ(r->events[1].detail, "5.0.0 500 unknown recipient");
  EXPECT_EQ(r->events[2].type, RecipientEventType::soft_bounced);
  EXPECT_EQ(r->events[3].type, RecipientEventType::complained);
  EXPECT_EQ(r->events[4].type, RecipientEventType::bounced);
  EXPECT_EQ(r->events[5].type, RecipientEventType::deferred);
}

TEST_F(SendGridWebhookTest, AChangedBodyOrTimestampBreaksTheSignature) {
  auto headers = signed_headers(kBatch);
  std::string changed(kBatch);
  changed[changed.find("bounce")] = 'B';
  auto r = run(headers, changed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "bad_signature");
  // Re-serialised JSON (spaces dropped) is not what was signed.
  std::string compact;
  for (char c : kBatch)
    if (c != '\n') compact += c;
  EXPECT_FALSE(run(headers, compact));
  auto other_time = signed_headers(kBatch, "1770920771");
  other_time.back().second = std::string(kTimestamp);
  EXPECT_FALSE(run(other_time, kBatch));
}

TEST_F(SendGridWebhookTest, AnotherKeysSignatureIsRefused) {
  auto other = test::TestKey::ec("P-256");
  net::HttpHeaders headers{
      {"X-Twilio-Email-Event-Webhook-Signature",
       base64_encode(other.sign(std::string(kTimestamp) + std::string(kBatch)))},
      {"X-Twilio-Email-Event-Webhook-Timestamp", std::string(kTimestamp)}};
  auto r = run(headers, kBatch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "bad_signature");
}

TEST_F(SendGridWebhookTest, MissingOrGarbledSignatureHeadersAreRefused) {
  auto r = run({}, kBatch);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "missing_signature");
  auto garbled = run({{"X-Twilio-Email-Event-Webhook-Signature", "%%%"},
                      {"X-Twilio-Email-Event-Webhook-Timestamp", "1"}},
                     kBatch);
  ASSERT_FALSE(garbled);
  EXPECT_EQ(garbled.error().reason, "bad_signature");
}

TEST_F(SendGridWebhookTest, ASignedBodyThatIsNotABatchIsMalformed) {
  std::string body = R"({"event":"delivered"})";
  auto r = run(signed_headers(body), body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "malformed");
}

TEST(SendGridWebhookKeyTest, OnlyAP256PublicKeyIsTaken) {
  EXPECT_TRUE(SendGridWebhookKey::parse(signing_key().public_der_base64()));
  EXPECT_FALSE(SendGridWebhookKey::parse(test::TestKey::ec("P-384").public_der_base64()));
  EXPECT_FALSE(SendGridWebhookKey::parse("not base64!"));
  EXPECT_FALSE(SendGridWebhookKey::parse(base64_encode("not DER")));
  EXPECT_FALSE(SendGridWebhookKey::parse(""));
}

}  // namespace
}  // namespace postern::providers::sendgrid
