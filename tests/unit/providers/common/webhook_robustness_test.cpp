// In-process robustness run (libFuzzer style, fixed seed) of every
// provider's webhook parser: mutated requests, re-signed with the test's
// own keys so that the parsing behind each signature is reached. Run under
// ASan/UBSan; the checks are "no crash" plus what must hold for any input:
// every event has a dedupe key and a detail of valid UTF-8 within 1,000
// bytes, and nothing unsigned gets through.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <random>

#include "core/base64.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "core/utf8.h"
#include "providers/mailgun/mailgun_webhook.h"
#include "providers/postmark/postmark_webhook.h"
#include "providers/sendgrid/sendgrid_webhook.h"
#include "providers/ses/ses_notification.h"
#include "providers/ses/sns_message.h"
#include "providers/webhook_crypto.h"
#include "support/mutator.h"

namespace postern::providers {
namespace {

constexpr std::uint32_t kSeed = 20261207;
constexpr int kRounds = 1500;
const SystemTime kNow = SystemTime(std::chrono::seconds(1770920772));

// Bytes that matter to JSON and to the fields read.
constexpr std::string_view kAlphabet = "{}[]\":,.-+eE0123456789 \\/ntfu@<>aAbBzZ\x80\xc3\xa9\xff";

const std::vector<std::string> kSeeds = {
    R"({"event":"failed","severity":"permanent","recipient":"a@b","timestamp":1.5e9,"message":{"headers":{"message-id":"x@y"}},"delivery-status":{"code":550,"message":"no"},"user-variables":{"postern-id":"p"}})",
    R"([{"email":"a@b","timestamp":1770920700,"event":"bounce","type":"blocked","sg_event_id":"e","sg_message_id":"m.f.0"},{"event":"delivered","sg_event_id":"f","timestamp":"1e400"}])",
    R"({"RecordType":"Bounce","ID":123,"Type":"HardBounce","MessageID":"m","Email":"a@b","BouncedAt":"2026-02-12T17:45:00.1234567Z","Metadata":{"postern_id":"p"}})",
    R"({"notificationType":"Bounce","bounce":{"bounceType":"Permanent","timestamp":"2026-02-30T00:00:00Z","bouncedRecipients":[{"emailAddress":"a@b","diagnosticCode":"x"},"c@d",5]},"mail":{"messageId":"m","tags":{"postern_id":["p",1]}}})",
};

void check_events(const WebhookResult& r) {
  if (!r) {
    EXPECT_FALSE(r.error().reason.empty());
    return;
  }
  for (const auto& e : r->events) {
    EXPECT_FALSE(e.dedupe_key.empty());
    EXPECT_LE(e.detail.size(), 1000u);
    EXPECT_TRUE(is_valid_utf8(e.detail));
  }
}

TEST(WebhookRobustnessTest, Mailgun) {
  std::mt19937 rng(kSeed);
  test::Mutator mutator(rng, kAlphabet, kSeeds);
  mailgun::MailgunWebhookSettings settings{"k"};
  mailgun::MailgunTokenLog tokens(64);
  net::HttpHeaders headers;
  for (int i = 0; i < kRounds; ++i) {
    auto token = "t" + std::to_string(i);
    auto ts = std::to_string(1770920772 - static_cast<int>(rng() % 700));
    std::string data = mutator.mutate(kSeeds[rng() % kSeeds.size()]);
    std::string body = R"({"signature":{"token":")" + token + R"(","timestamp":")" + ts +
                       R"(","signature":")" + to_hex(hmac_sha256("k", ts + token)) +
                       R"("},"event-data":)" + data + "}";
    if (rng() % 4 == 0) body = mutator.mutate(body);
    auto r = mailgun::parse_mailgun_webhook(settings, tokens, {headers, body, kNow});
    check_events(r);
    if (r) {
      EXPECT_LE(r->events.size(), 1u);
      for (const auto& e : r->events) EXPECT_EQ(e.dedupe_key, token);
    }
  }
}

TEST(WebhookRobustnessTest, SendGrid) {
  std::mt19937 rng(kSeed);
  test::Mutator mutator(rng, kAlphabet, kSeeds);
  auto key = test::TestKey::ec("P-256");
  auto verifier = sendgrid::SendGridWebhookKey::parse(key.public_der_base64()).value();
  for (int i = 0; i < kRounds / 3; ++i) {
    std::string body = mutator.mutate(kSeeds[rng() % kSeeds.size()]);
    std::string ts = std::to_string(i);
    net::HttpHeaders headers{
        {"X-Twilio-Email-Event-Webhook-Timestamp", ts},
        {"X-Twilio-Email-Event-Webhook-Signature", base64_encode(key.sign(ts + body))}};
    bool tamper = rng() % 4 == 0;
    std::string sent = tamper ? mutator.mutate(body) : body;
    auto r = sendgrid::parse_sendgrid_webhook(*verifier, {headers, sent, kNow});
    check_events(r);
    if (tamper && sent != body) {
      EXPECT_FALSE(r) << "a changed body passed the signature";
    }
  }
}

TEST(WebhookRobustnessTest, Postmark) {
  std::mt19937 rng(kSeed);
  test::Mutator mutator(rng, kAlphabet, kSeeds);
  postmark::PostmarkWebhookSettings settings{"u", "p"};
  net::HttpHeaders headers{{"Authorization", "Basic " + base64_encode("u:p")}};
  for (int i = 0; i < kRounds; ++i) {
    std::string body = mutator.mutate(kSeeds[rng() % kSeeds.size()]);
    check_events(postmark::parse_postmark_webhook(settings, {headers, body, kNow}));
  }
}

TEST(WebhookRobustnessTest, SnsEnvelopeAndSesNotification) {
  std::mt19937 rng(kSeed);
  test::Mutator mutator(rng, kAlphabet, kSeeds);
  std::string envelope = boost::json::serialize(
      boost::json::object{{"Type", "Notification"},
                          {"MessageId", "m"},
                          {"TopicArn", "arn:aws:sns:x"},
                          {"Message", kSeeds[3]},
                          {"Timestamp", "t"},
                          {"SignatureVersion", "2"},
                          {"Signature", "AAAA"},
                          {"SigningCertURL", "https://sns.x.amazonaws.com/"}});
  ses::SnsHostRules rules{{"127.0.0.1"}};
  for (int i = 0; i < kRounds; ++i) {
    auto m = ses::parse_sns_message(mutator.mutate(envelope));
    if (m) {
      EXPECT_FALSE(ses::sns_string_to_sign(*m).empty());
      (void)ses::check_sns_url(rules, m->signing_cert_url, "SigningCertURL");
    }
    check_events(
        ses::parse_ses_notification(mutator.mutate(kSeeds[rng() % kSeeds.size()]), "sns-id", kNow));
  }
}

}  // namespace
}  // namespace postern::providers
