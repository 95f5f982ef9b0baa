// Postmark's webhooks: HTTP Basic credentials (Postmark signs nothing),
// and its Delivery, Bounce and SpamComplaint records.
#include "providers/postmark/postmark_webhook.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "providers/webhook_expect.h"

namespace postern::providers::postmark {
namespace {

using events::RecipientEventType;

const SystemTime kNow = SystemTime(std::chrono::seconds(1770920772));

constexpr std::string_view kDelivery = R"({"RecordType":"Delivery","ServerID":23,
 "MessageStream":"outbound","MessageID":"00000000-0000-0000-0000-000000000000",
 "Recipient":"john@example.com","Tag":"welcome","DeliveredAt":"2026-02-12T17:44:00.123Z",
 "Details":"smtp;250 2.0.0 OK","Metadata":{"postern_id":"01JID","a_key":"a_value"}})";

constexpr std::string_view kHardBounce = R"({"RecordType":"Bounce","ID":4323372036854775807,
 "Type":"HardBounce","TypeCode":1,"Name":"Hard bounce","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483",
 "Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).",
 "Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.",
 "Email":"john@example.com","BouncedAt":"2026-02-12T17:45:00Z","Metadata":{"postern_id":"01JID"}})";

constexpr std::string_view kComplaint = R"({"RecordType":"SpamComplaint","ID":42,
 "Type":"SpamComplaint","TypeCode":100001,"MessageID":"m-1","Email":"jane@example.com",
 "BouncedAt":"2026-02-12T17:46:00Z"})";

std::string basic(std::string_view user, std::string_view password) {
  return "Basic " + base64_encode(std::string(user) + ":" + std::string(password));
}

struct PostmarkWebhookTest : ::testing::Test {
  PostmarkWebhookSettings settings{"hook-user", "s3cret-pass"};
  WebhookResult run(std::string_view body, std::string auth) {
    net::HttpHeaders headers{{"Authorization", std::move(auth)}};
    return parse_postmark_webhook(settings, WebhookRequest{headers, body, kNow});
  }
  WebhookResult run(std::string_view body) { return run(body, basic("hook-user", "s3cret-pass")); }
};

TEST_F(PostmarkWebhookTest, ADeliveryRecord) {
  auto r = run(kDelivery);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->events.size(), 1u);
  test::expect_event(
      r->events[0],
      {.dedupe_key =
           "00000000-0000-0000-0000-000000000000/john@example.com/2026-02-12T17:44:00.123Z",
       .provider_message_id = "00000000-0000-0000-0000-000000000000",
       .postern_id = "01JID",
       .recipient = "john@example.com",
       .type = RecipientEventType::delivered,
       .at = SystemTime(std::chrono::milliseconds(1770918240123)),
       .detail = "smtp;250 2.0.0 OK"});
}

TEST_F(PostmarkWebhookTest, BouncesAndComplaints) {
  auto hard = run(kHardBounce);
  ASSERT_TRUE(hard);
  ASSERT_EQ(hard->events.size(), 1u);
  EXPECT_EQ(hard->events[0].type, RecipientEventType::bounced);
  EXPECT_EQ(hard->events[0].dedupe_key, "Bounce/4323372036854775807");
  EXPECT_EQ(hard->events[0].recipient, "john@example.com");
  auto complaint = run(kComplaint);
  ASSERT_TRUE(complaint);
  EXPECT_EQ(complaint->events.at(0).type, RecipientEventType::complained);
  EXPECT_EQ(complaint->events.at(0).dedupe_key, "SpamComplaint/42");

  std::string soft(kHardBounce);
  soft.replace(soft.find("HardBounce"), 10, "SoftBounce");
  EXPECT_EQ(run(soft)->events.at(0).type, RecipientEventType::soft_bounced);
  std::string transient(kHardBounce);
  transient.replace(transient.find("HardBounce"), 10, "Transient");
  EXPECT_EQ(run(transient)->events.at(0).type, RecipientEventType::deferred);
}

TEST_F(PostmarkWebhookTest, OtherRecordsAreIgnored) {
  for (std::string body :
       {R"({"RecordType":"Open","MessageID":"m"})", R"({"RecordType":"Click"})",
        R"({"RecordType":"Bounce","ID":7,"Type":"AutoResponder","Email":"a@b"})"}) {
    auto r = run(body);
    ASSERT_TRUE(r) << body;
    EXPECT_TRUE(r->events.empty());
    EXPECT_EQ(r->ignored, 1u);
  }
}

TEST_F(PostmarkWebhookTest, WrongOrMissingCredentialsAreRefused) {
  for (auto auth : {basic("hook-user", "wrong"), basic("other", "s3cret-pass"), basic("", ""),
                    basic("hook-user", "s3cret-pass2"), std::string("Bearer s3cret-pass"),
                    std::string("Basic !!!"), std::string()}) {
    auto r = run(kDelivery, auth);
    ASSERT_FALSE(r) << auth;
    EXPECT_EQ(r.error().reason, "bad_credentials");
  }
  // The scheme's name is case-insensitive (RFC 7617).
  EXPECT_TRUE(run(kDelivery, "basic " + base64_encode("hook-user:s3cret-pass")));
}

TEST_F(PostmarkWebhookTest, AnAuthenticatedBodyThatIsNotARecordIsMalformed) {
  auto r = run("[1]");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "malformed");
}

}  // namespace
}  // namespace postern::providers::postmark
