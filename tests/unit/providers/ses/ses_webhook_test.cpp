// SES notifications through SNS: an RSA key and a self-signed certificate
// made here sign SNS messages (SignatureVersion 1 and 2) as SNS does; the
// certificate and the SubscribeURL are served by a fake fetch, so the host
// rules, the cache and the confirmation are seen without a network.
#include "providers/ses/ses_webhook.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.h"
#include "providers/ses/ses_notification.h"
#include "providers/webhook_crypto.h"
#include "providers/webhook_expect.h"

namespace postern::providers::ses {
namespace {

namespace json = boost::json;
using events::RecipientEventType;

const SystemTime kNow = SystemTime(std::chrono::seconds(1770920772));
constexpr std::string_view kTopic = "arn:aws:sns:us-east-1:123456789012:ses-events";
constexpr std::string_view kCertUrl = "http://127.0.0.1:9/SimpleNotificationService-test.pem";

const test::TestKey& rsa_key() {
  static const auto key = test::TestKey::rsa();
  return key;
}

const std::string& cert_pem() {
  static const auto pem =
      rsa_key().self_signed_pem(kNow - std::chrono::hours(24), kNow + std::chrono::hours(24 * 30));
  return pem;
}

// The string SNS signs, written out as the SNS documentation lists it
// (independently of sns_string_to_sign).
std::string string_to_sign(const json::object& m) {
  std::vector<std::string> keys =
      m.at("Type").as_string() == "Notification"
          ? std::vector<std::string>{"Message",   "MessageId", "Subject",
                                     "Timestamp", "TopicArn",  "Type"}
          : std::vector<std::string>{"Message", "MessageId", "SubscribeURL", "Timestamp",
                                     "Token",   "TopicArn",  "Type"};
  std::string out;
  for (const auto& k : keys) {
    if (const auto* v = m.if_contains(k)) out += k + "\n" + std::string(v->as_string()) + "\n";
  }
  return out;
}

std::string signed_message(json::object m, int version = 2, const test::TestKey& key = rsa_key()) {
  m["SignatureVersion"] = std::to_string(version);
  m["Signature"] = base64_encode(key.sign(string_to_sign(m), version == 1 ? "SHA1" : "SHA256"));
  return json::serialize(m);
}

constexpr std::string_view kBounce = R"({"notificationType":"Bounce",
 "bounce":{"bounceType":"Permanent","bounceSubType":"General","timestamp":"2026-02-12T17:44:00.000Z",
  "feedbackId":"f-1","bouncedRecipients":[
   {"emailAddress":"ann@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"},
   {"emailAddress":"bob@example.com","status":"5.1.1"}]},
 "mail":{"timestamp":"2026-02-12T17:43:59.000Z","messageId":"0100018d-ses-id-000000",
  "source":"from@example.com","destination":["ann@example.com","bob@example.com"],
  "tags":{"postern_id":["01JID"]},"commonHeaders":{"messageId":"<rfc@example.com>"}}})";

json::object notification(std::string_view ses_message, std::string_view id = "msg-1") {
  return {{"Type", "Notification"},
          {"MessageId", id},
          {"TopicArn", kTopic},
          {"Message", ses_message},
          {"Timestamp", "2026-02-12T17:44:01.000Z"},
          {"SigningCertURL", kCertUrl},
          {"UnsubscribeURL", "http://127.0.0.1:9/?Action=Unsubscribe"}};
}

json::object confirmation(std::string_view subscribe_url) {
  return {{"Type", "SubscriptionConfirmation"},
          {"MessageId", "conf-1"},
          {"Token", "2336412f37"},
          {"TopicArn", kTopic},
          {"Message", "You have chosen to subscribe to the topic.\nTo confirm, visit the URL."},
          {"SubscribeURL", subscribe_url},
          {"Timestamp", "2026-02-12T17:40:00.000Z"},
          {"SigningCertURL", kCertUrl}};
}

struct SesWebhookTest : ::testing::Test {
  std::vector<std::string> fetched;
  std::map<std::string, net::HttpClientResponse> served;
  std::shared_ptr<SesWebhook> webhook;

  void SetUp() override {
    served[std::string(kCertUrl)] = {200, {}, cert_pem()};
    make({"127.0.0.1"});
  }
  void make(std::vector<std::string> hosts) {
    webhook = std::make_shared<SesWebhook>(
        SesWebhookSettings{std::string(kTopic), {std::move(hosts)}},
        [this](net::HttpClientRequest request,
               std::function<void(Result<net::HttpClientResponse>)> done) {
          fetched.push_back(request.url);
          auto it = served.find(request.url);
          if (it == served.end()) return done(error_code(Errc::not_found));
          done(it->second);
        });
  }
  WebhookResult run(std::string_view body, SystemTime now = kNow) {
    net::HttpHeaders headers{{"x-amz-sns-message-type", "Notification"}};
    std::optional<WebhookResult> out;
    webhook->receive(WebhookRequest{headers, body, now}, [&](WebhookResult r) { out = r; });
    EXPECT_TRUE(out) << "the fake fetch answers at once";
    return *out;
  }
};

TEST_F(SesWebhookTest, AGenuineBounceNamesEachRecipient) {
  for (int version : {1, 2}) {
    auto r = run(signed_message(notification(kBounce, "msg-v" + std::to_string(version)), version));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->events.size(), 2u);
    test::expect_event(r->events[0],
                       {.dedupe_key = "msg-v" + std::to_string(version) + "/ann@example.com",
                        .provider_message_id = "0100018d-ses-id-000000",
                        .postern_id = "01JID",
                        .recipient = "ann@example.com",
                        .type = RecipientEventType::bounced,
                        .at = SystemTime(std::chrono::seconds(1770918240)),
                        .detail = "smtp; 550 5.1.1 user unknown"});
    EXPECT_EQ(r->events[1].recipient, "bob@example.com");
    EXPECT_EQ(r->events[1].detail, "5.1.1");
  }
  // Fetched once, then cached.
  EXPECT_EQ(fetched.size(), 1u);
}

TEST_F(SesWebhookTest, TheSubjectIsSignedWhenPresent) {
  auto m = notification(kBounce);
  m["Subject"] = "Amazon SES Email Event Notification";
  EXPECT_TRUE(run(signed_message(m)));
  // Signed with the subject, sent without it.
  auto body = json::parse(signed_message(m)).as_object();
  body.erase("Subject");
  auto r = run(json::serialize(body));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "bad_signature");
}

TEST_F(SesWebhookTest, AChangedMessageOrAnotherKeyIsRefused) {
  auto body = json::parse(signed_message(notification(kBounce))).as_object();
  std::string message(body["Message"].as_string());
  message.replace(message.find("Permanent"), 9, "Transient");
  body["Message"] = message;
  auto r = run(json::serialize(body));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "bad_signature");

  auto other = test::TestKey::rsa();
  auto forged = run(signed_message(notification(kBounce), 2, other));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().reason, "bad_signature");
}

TEST_F(SesWebhookTest, AnotherTopicIsRefused) {
  auto m = notification(kBounce);
  m["TopicArn"] = "arn:aws:sns:us-east-1:999999999999:someone-else";
  auto r = run(signed_message(m));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "wrong_topic");
  EXPECT_TRUE(fetched.empty());
}

TEST_F(SesWebhookTest, CertificatesOnlyFromAllowedHosts) {
  for (std::string url :
       {"https://evil.example/cert.pem", "http://sns.us-east-1.amazonaws.com/c.pem",
        "http://127.0.0.2:9/c.pem", "ftp://127.0.0.1/c.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/c.pem",
        "https://user@sns.us-east-1.amazonaws.com/c.pem"}) {
    auto m = notification(kBounce);
    m["SigningCertURL"] = url;
    auto r = run(signed_message(m));
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().reason, "cert_host_not_allowed") << url;
  }
  EXPECT_TRUE(fetched.empty());
  // A listed host that is not loopback still needs https.
  make({"certs.example"});
  auto m = notification(kBounce);
  m["SigningCertURL"] = "http://certs.example/c.pem";
  auto r = run(signed_message(m));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "cert_host_not_allowed");
  // And the loopback host must be listed for plain http.
  make({});
  auto unlisted = run(signed_message(notification(kBounce)));
  ASSERT_FALSE(unlisted);
  EXPECT_EQ(unlisted.error().reason, "cert_host_not_allowed");
}

TEST(SnsHostTest, AmazonSnsHosts) {
  EXPECT_TRUE(is_sns_host("sns.us-east-1.amazonaws.com"));
  EXPECT_TRUE(is_sns_host("sns.cn-north-1.amazonaws.com.cn"));
  EXPECT_FALSE(is_sns_host("sns..amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sns.amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sns.us-east-1.amazonaws.com.evil"));
  EXPECT_FALSE(is_sns_host("sns.evil.example.amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sqs.us-east-1.amazonaws.com"));
  SnsHostRules rules;
  EXPECT_TRUE(
      check_sns_url(rules, "https://sns.eu-west-1.amazonaws.com/x.pem", "SigningCertURL")->amazon);
}

TEST_F(SesWebhookTest, AnExpiredCertificateIsRefused) {
  served[std::string(kCertUrl)].body =
      rsa_key().self_signed_pem(kNow - std::chrono::hours(48), kNow - std::chrono::hours(1));
  auto r = run(signed_message(notification(kBounce)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "cert_invalid");
  served[std::string(kCertUrl)].body = "not a certificate";
  EXPECT_EQ(run(signed_message(notification(kBounce))).error().reason, "cert_invalid");
}

TEST_F(SesWebhookTest, AnUnreachableCertificateAsksForARetry) {
  served.clear();
  auto r = run(signed_message(notification(kBounce)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "cert_unavailable");
  EXPECT_TRUE(r.error().retry_later);
}

TEST_F(SesWebhookTest, ASubscriptionIsConfirmedByFetchingSubscribeUrl) {
  std::string url = "http://127.0.0.1:9/?Action=ConfirmSubscription&Token=2336412f37";
  served[url] = {200, {}, "<ConfirmSubscriptionResponse/>"};
  auto r = run(signed_message(confirmation(url)));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->events.empty());
  EXPECT_NE(r->note.find("confirmed"), std::string::npos);
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[1], url);
}

TEST_F(SesWebhookTest, ASubscribeUrlElsewhereIsNotFetched) {
  auto r = run(signed_message(confirmation("https://evil.example/?Action=ConfirmSubscription")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "url_not_allowed");
  EXPECT_TRUE(fetched.empty());
}

TEST_F(SesWebhookTest, AFailedConfirmationAsksForARetry) {
  auto r = run(signed_message(confirmation("http://127.0.0.1:9/?Action=ConfirmSubscription")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "confirmation_failed");
  EXPECT_TRUE(r.error().retry_later);
}

TEST_F(SesWebhookTest, AForgedConfirmationIsNotActedOn) {
  std::string url = "http://127.0.0.1:9/?Action=ConfirmSubscription&Token=2336412f37";
  served[url] = {200, {}, ""};
  auto body = json::parse(signed_message(confirmation(url))).as_object();
  body["Token"] = "another";
  auto r = run(json::serialize(body));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "bad_signature");
  EXPECT_EQ(fetched.size(), 1u);  // the certificate only
}

TEST_F(SesWebhookTest, UnsupportedSignatureVersionsAndMalformedBodies) {
  auto m = notification(kBounce);
  m["SignatureVersion"] = "3";
  m["Signature"] = "AAAA";
  EXPECT_EQ(run(json::serialize(m)).error().reason, "unsupported_signature");
  EXPECT_EQ(run("not json").error().reason, "malformed");
  EXPECT_EQ(run(R"({"Type":"Other"})").error().reason, "malformed");
}

TEST(SesNotificationTest, DeliveriesComplaintsDelaysAndOthers) {
  auto delivery = parse_ses_notification(
      R"({"notificationType":"Delivery","mail":{"messageId":"m-1"},
          "delivery":{"timestamp":"2026-02-12T17:44:00Z","recipients":["a@example.com","b@example.com"],
                      "smtpResponse":"250 ok"}})",
      "sns-1", kNow);
  ASSERT_TRUE(delivery);
  ASSERT_EQ(delivery->events.size(), 2u);
  EXPECT_EQ(delivery->events[1].type, RecipientEventType::delivered);
  EXPECT_EQ(delivery->events[1].dedupe_key, "sns-1/b@example.com");
  EXPECT_EQ(delivery->events[1].detail, "250 ok");

  auto complaint = parse_ses_notification(
      R"({"eventType":"Complaint","mail":{"messageId":"m-1"},
          "complaint":{"complainedRecipients":[{"emailAddress":"c@example.com"}],
                       "complaintFeedbackType":"abuse"}})",
      "sns-2", kNow);
  ASSERT_TRUE(complaint);
  EXPECT_EQ(complaint->events.at(0).type, RecipientEventType::complained);
  EXPECT_EQ(complaint->events.at(0).at, kNow);  // no timestamp given

  auto delay = parse_ses_notification(
      R"({"eventType":"DeliveryDelay","mail":{"messageId":"m-1"},
          "deliveryDelay":{"delayType":"MailboxFull","delayedRecipients":[{"emailAddress":"d@example.com"}]}})",
      "sns-3", kNow);
  ASSERT_TRUE(delay);
  EXPECT_EQ(delay->events.at(0).type, RecipientEventType::deferred);

  auto transient = parse_ses_notification(
      R"({"notificationType":"Bounce","bounce":{"bounceType":"Transient",
          "bouncedRecipients":[{"emailAddress":"e@example.com"}]}})",
      "sns-4", kNow);
  ASSERT_TRUE(transient);
  EXPECT_EQ(transient->events.at(0).type, RecipientEventType::soft_bounced);

  for (auto other : {R"({"eventType":"Open","mail":{}})", R"({"eventType":"Send"})", "{}"}) {
    auto r = parse_ses_notification(other, "sns-5", kNow);
    ASSERT_TRUE(r) << other;
    EXPECT_TRUE(r->events.empty());
    EXPECT_EQ(r->ignored, 1u);
  }
  EXPECT_FALSE(parse_ses_notification("[]", "sns-6", kNow));
}

}  // namespace
}  // namespace postern::providers::ses
