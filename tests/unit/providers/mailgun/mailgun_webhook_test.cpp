// Mailgun's webhook: real HMAC-SHA256 signatures made here with the test's
// signing key, the token log's replay and age rules, and the mapping of
// Mailgun's events (docs/events.md, "Webhooks in").
#include "providers/mailgun/mailgun_webhook.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "core/hex.h"
#include "core/sha256.h"
#include "providers/webhook_expect.h"

namespace postern::providers::mailgun {
namespace {

namespace json = boost::json;
using events::RecipientEventType;

constexpr std::string_view kKey = "key-test-signing-0123456789abcdef";
const SystemTime kNow = SystemTime(std::chrono::seconds(1770920772));

std::int64_t seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json::object event_data(std::string_view event, std::string_view severity = "") {
  json::object data{{"id", "CCXMjJ7nQi2N3BPigGOdgQ"},
                    {"timestamp", 1770920770.25},
                    {"event", event},
                    {"recipient", "ann@example.com"},
                    {"message", {{"headers", {{"message-id", "20260212.1.ABC@mg.example.org"}}}}},
                    {"delivery-status", {{"code", 550}, {"message", "5.1.1 no such user"}}},
                    {"user-variables", {{"postern-id", "01JPOSTERNID"}}}};
  if (!severity.empty()) data["severity"] = severity;
  return data;
}

std::string body(const json::object& data, std::string_view token, std::int64_t timestamp,
                 std::string_view key = kKey) {
  auto ts = std::to_string(timestamp);
  json::object signature{{"token", token},
                         {"timestamp", ts},
                         {"signature", to_hex(hmac_sha256(key, ts + std::string(token)))}};
  return json::serialize(json::object{{"signature", signature}, {"event-data", data}});
}

struct Fixture : ::testing::Test {
  MailgunWebhookSettings settings{std::string(kKey)};
  MailgunTokenLog tokens;
  net::HttpHeaders headers{{"Content-Type", "application/json"}};

  WebhookResult run(const std::string& b, SystemTime now = kNow) {
    return parse_mailgun_webhook(settings, tokens, WebhookRequest{headers, b, now});
  }
};

using MailgunWebhookTest = Fixture;

TEST_F(MailgunWebhookTest, GenuineDeliveredBecomesOneEvent) {
  auto r = run(body(event_data("delivered"), "tok-1", seconds(kNow)));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->events.size(), 1u);
  test::expect_event(r->events[0], {.dedupe_key = "tok-1",
                                    .provider_message_id = "20260212.1.ABC@mg.example.org",
                                    .postern_id = "01JPOSTERNID",
                                    .recipient = "ann@example.com",
                                    .type = RecipientEventType::delivered,
                                    .at = SystemTime(std::chrono::microseconds(1770920770250000)),
                                    .detail = "550 5.1.1 no such user"});
  EXPECT_EQ(r->ignored, 0u);
}

TEST_F(MailgunWebhookTest, FailuresByTheirSeverityAndComplaints) {
  auto hard = run(body(event_data("failed", "permanent"), "t1", seconds(kNow)));
  auto soft = run(body(event_data("failed", "temporary"), "t2", seconds(kNow)));
  auto complaint = run(body(event_data("complained"), "t3", seconds(kNow)));
  ASSERT_TRUE(hard && soft && complaint);
  EXPECT_EQ(hard->events.at(0).type, RecipientEventType::bounced);
  EXPECT_EQ(soft->events.at(0).type, RecipientEventType::deferred);
  EXPECT_EQ(complaint->events.at(0).type, RecipientEventType::complained);
}

TEST_F(MailgunWebhookTest, OtherKindsAreCountedAsIgnored) {
  for (auto kind : {"opened", "clicked", "accepted", "unsubscribed"}) {
    auto r = run(body(event_data(kind), std::string("tok-") + kind, seconds(kNow)));
    ASSERT_TRUE(r) << kind;
    EXPECT_TRUE(r->events.empty()) << kind;
    EXPECT_EQ(r->ignored, 1u) << kind;
  }
}

TEST_F(MailgunWebhookTest, ABadSignatureIsRefused) {
  auto r = run(body(event_data("delivered"), "tok-1", seconds(kNow), "another-key"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "bad_signature");
  // A refused token is not remembered: the genuine one still passes.
  EXPECT_TRUE(run(body(event_data("delivered"), "tok-1", seconds(kNow))));
}

TEST_F(MailgunWebhookTest, AReplayedTokenIsRefusedEvenWithOtherEventData) {
  ASSERT_TRUE(run(body(event_data("delivered"), "tok-1", seconds(kNow))));
  auto r = run(body(event_data("failed", "permanent"), "tok-1", seconds(kNow)),
               kNow + std::chrono::seconds(30));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "replayed");
}

TEST_F(MailgunWebhookTest, OldAndFutureTimestampsAreRefused) {
  auto old = run(body(event_data("delivered"), "tok-old", seconds(kNow) - 601));
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().reason, "stale_timestamp");
  auto ahead = run(body(event_data("delivered"), "tok-ahead", seconds(kNow) + 301));
  ASSERT_FALSE(ahead);
  EXPECT_EQ(ahead.error().reason, "stale_timestamp");
  EXPECT_TRUE(run(body(event_data("delivered"), "tok-recent", seconds(kNow) - 590)));
}

TEST_F(MailgunWebhookTest, MalformedBodiesAreRefused) {
  for (std::string b : {"", "[]", "{}", R"({"signature":{"token":"t"}})",
                        R"({"signature":{"token":"t","timestamp":"x","signature":"00"}})"}) {
    auto r = run(b);
    ASSERT_FALSE(r) << b;
    EXPECT_EQ(r.error().reason, "malformed") << b;
  }
}

TEST_F(MailgunWebhookTest, TheDetailIsClipped) {
  auto data = event_data("failed", "permanent");
  data["delivery-status"].as_object()["message"] = std::string(5000, 'x');
  auto r = run(body(data, "tok-long", seconds(kNow)));
  ASSERT_TRUE(r);
  EXPECT_LE(r->events.at(0).detail.size(), 1000u);
}

TEST(MailgunTokenLogTest, ForgetsExpiredTokens) {
  MailgunTokenLog log;
  using V = MailgunTokenLog::Verdict;
  EXPECT_EQ(log.admit("a", seconds(kNow), kNow), V::fresh);
  EXPECT_EQ(log.size(), 1u);
  auto later = kNow + std::chrono::seconds(700);
  EXPECT_EQ(log.admit("b", seconds(later), later), V::fresh);
  EXPECT_EQ(log.size(), 1u);  // "a" is too old to be taken anyway
  EXPECT_EQ(log.admit("a", seconds(kNow), later), V::stale);
}

TEST(MailgunTokenLogTest, WhenFullNoForgottenTokenCanComeBack) {
  MailgunTokenLog log(2);
  using V = MailgunTokenLog::Verdict;
  auto t = seconds(kNow);
  EXPECT_EQ(log.admit("a", t - 20, kNow), V::fresh);
  EXPECT_EQ(log.admit("b", t - 10, kNow), V::fresh);
  EXPECT_EQ(log.admit("c", t - 5, kNow), V::fresh);  // forgets "a"
  EXPECT_LE(log.size(), 2u);
  EXPECT_EQ(log.admit("a", t - 20, kNow), V::stale);
  EXPECT_EQ(log.admit("new-but-as-old", t - 20, kNow), V::stale);
  EXPECT_EQ(log.admit("c", t - 5, kNow), V::replayed);
  EXPECT_EQ(log.admit("d", t, kNow), V::fresh);
}

}  // namespace
}  // namespace postern::providers::mailgun
