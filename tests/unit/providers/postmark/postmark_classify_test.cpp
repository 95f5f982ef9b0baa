// Postmark's classification table, row by row: Postmark's ErrorCode
// values and the HTTP statuses.
#include <gtest/gtest.h>

#include "providers/postmark/postmark_provider.h"

namespace postern::providers::postmark {
namespace {

net::HttpClientResponse answer(int status, std::string body) {
  return {status, {}, std::move(body)};
}
std::string error_body(int code, const std::string& message) {
  return "{\"ErrorCode\": " + std::to_string(code) + ", \"Message\": \"" + message + "\"}";
}

TEST(PostmarkClassify, AcceptedMessageReturnsItsId) {
  auto r = classify_postmark_send(
      answer(200,
             R"({"To": "receiver@example.com", "SubmittedAt": "2014-02-17T07:25:01.4178645-05:00",
                      "MessageID": "0a129aee-e1cd-480d-b08d-4f48548ff48d", "ErrorCode": 0, "Message": "OK"})"),
      SystemTime{});
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.provider_message_id, "0a129aee-e1cd-480d-b08d-4f48548ff48d");
  EXPECT_EQ(r.code, "ErrorCode 0");
}

TEST(PostmarkClassify, EveryErrorCodeOfTheTable) {
  struct Row {
    int http;
    int error_code;
    FailureClass expected;
  };
  const std::vector<Row> rows = {
      {401, 10, FailureClass::provider_down},
      {503, 100, FailureClass::provider_down},
      {422, 300, FailureClass::permanent},
      {422, 400, FailureClass::provider_down},
      {422, 401, FailureClass::provider_down},
      {422, 402, FailureClass::permanent},
      {422, 403, FailureClass::permanent},
      {422, 405, FailureClass::provider_down},
      {422, 406, FailureClass::permanent},
      {422, 409, FailureClass::permanent},
      {422, 410, FailureClass::permanent},
      {422, 411, FailureClass::permanent},
      {422, 412, FailureClass::provider_down},
      {422, 413, FailureClass::provider_down},
      {429, 429, FailureClass::transient},
      {422, 999, FailureClass::permanent},
      // A batch-style 200 that carries a failure.
      {200, 406, FailureClass::permanent},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(row.http) + " ErrorCode " + std::to_string(row.error_code));
    auto r =
        classify_postmark_send(answer(row.http, error_body(row.error_code, "why")), SystemTime{});
    EXPECT_EQ(r.failure_class, row.expected);
    EXPECT_EQ(r.code, "ErrorCode " + std::to_string(row.error_code));
    EXPECT_EQ(r.detail, "why");
    EXPECT_TRUE(r.provider_message_id.empty());
  }
}

TEST(PostmarkClassify, InactiveRecipientKeepsTheAddresses) {
  auto r = classify_postmark_send(
      answer(
          422,
          error_body(406,
                     "You tried to send to recipient(s) that have been marked as inactive. Found "
                     "inactive addresses: a@x.org, b@y.org. Inactive recipients are ones that have "
                     "generated a hard bounce, a spam complaint, or a manual suppression.")),
      SystemTime{});
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_NE(r.detail.find("a@x.org, b@y.org"), std::string::npos);
}

TEST(PostmarkClassify, InactiveRecipientsAreLeftOutWhenOthersRemain) {
  auto inactive = classify_postmark_send(
      answer(
          422,
          error_body(406,
                     "You tried to send to recipient(s) that have been marked as inactive. Found "
                     "inactive addresses: a@x.org, b@y.org. Inactive recipients are ones that have "
                     "generated a hard bounce.")),
      SystemTime{});
  Envelope three{"s@x.org",
                 {{"a@x.org", RecipientKind::to},
                  {"B@Y.org", RecipientKind::cc},
                  {"c@z.org", RecipientKind::to}}};
  auto r = leave_out_inactive(inactive, three);
  EXPECT_EQ(r.failure_class, FailureClass::transient);
  EXPECT_EQ(r.code, "ErrorCode 406");
  EXPECT_EQ(r.settled_recipients, (std::vector<std::string>{"a@x.org", "B@Y.org"}));
  EXPECT_EQ(r.refused_recipients, r.settled_recipients);   // inactive: none of them has it
  EXPECT_EQ(r.inactive_recipients, r.settled_recipients);  // for the suppression list
  EXPECT_EQ(
      r.detail.rfind(
          "inactive recipients left out, the others get the message at the next attempt: ", 0),
      0u);

  // Nobody else to send to: the message fails as before.
  Envelope two{"s@x.org", {{"a@x.org", RecipientKind::to}, {"b@y.org", RecipientKind::to}}};
  r = leave_out_inactive(inactive, two);
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_TRUE(r.settled_recipients.empty());
  EXPECT_EQ(r.inactive_recipients, (std::vector<std::string>{"a@x.org", "b@y.org"}));

  // A 406 in a 5xx is Postmark failing, not a verdict on recipients.
  auto failing = classify_postmark_send(
      answer(503, error_body(406, "Found inactive addresses: a@x.org.")), SystemTime{});
  EXPECT_EQ(leave_out_inactive(failing, three).failure_class, FailureClass::provider_down);
  EXPECT_TRUE(leave_out_inactive(failing, three).inactive_recipients.empty());

  // Other answers pass unchanged.
  auto other = classify_postmark_send(
      answer(422, error_body(300, "Invalid 'To' address: 'a@x.org'.")), SystemTime{});
  EXPECT_EQ(leave_out_inactive(other, three).failure_class, FailureClass::permanent);
}

TEST(PostmarkClassify, StatusesWithoutAnErrorCode) {
  struct Row {
    int http;
    std::string body;
    FailureClass expected;
  };
  const std::vector<Row> rows = {
      {401, "", FailureClass::provider_down},
      {403, "<html><body>Request blocked</body></html>", FailureClass::provider_down},
      {404, "", FailureClass::provider_down},
      {413, "<html>Request Entity Too Large</html>", FailureClass::permanent},
      {415, "", FailureClass::permanent},
      {422, "{}", FailureClass::permanent},
      {429, "", FailureClass::transient},
      {500, "", FailureClass::provider_down},
      {503, "", FailureClass::provider_down},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(row.http));
    auto r = classify_postmark_send(answer(row.http, row.body), SystemTime{});
    EXPECT_EQ(r.failure_class, row.expected);
    EXPECT_EQ(r.code, std::to_string(row.http));
    EXPECT_EQ(r.throttled, row.http == 429);
  }
}

TEST(PostmarkClassify, ProbeNeedsAValidToken) {
  EXPECT_TRUE(classify_postmark_probe(answer(200, R"({"ID":1,"Name":"Staging"})")).healthy);
  auto p = classify_postmark_probe(answer(401, error_body(10, "Bad or missing API token")));
  EXPECT_FALSE(p.healthy);
  EXPECT_EQ(p.failure_class, FailureClass::provider_down);
  EXPECT_NE(p.detail.find("Bad or missing API token"), std::string::npos);
  EXPECT_EQ(classify_postmark_probe(answer(429, "")).failure_class, FailureClass::transient);
  EXPECT_EQ(classify_postmark_probe(answer(500, "")).failure_class, FailureClass::provider_down);
}

}  // namespace
}  // namespace postern::providers::postmark
