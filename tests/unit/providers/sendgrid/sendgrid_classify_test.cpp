// SendGrid's classification table, row by row, from SendGrid's answer
// shapes (docs/providers.md, Failure classes).
#include <gtest/gtest.h>

#include "providers/sendgrid/sendgrid_provider.h"

namespace postern::providers::sendgrid {
namespace {

using namespace std::chrono_literals;

net::HttpClientResponse answer(int status, std::string body, net::HttpClientHeaders headers = {}) {
  return {status, std::move(headers), std::move(body)};
}

TEST(SendGridClassify, AcceptedAndSandboxAnswersAreOk) {
  auto r = classify_sendgrid_send(answer(202, "", {{"X-Message-Id", "moW00FY9Sqyr2r5ekgRDLg"}}),
                                  SystemTime{});
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.code, "202");
  EXPECT_EQ(r.provider_message_id, "moW00FY9Sqyr2r5ekgRDLg");
  r = classify_sendgrid_send(answer(200, ""), SystemTime{});
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.detail, "sandbox mode");
}

TEST(SendGridClassify, EveryErrorRowOfTheTable) {
  struct Row {
    int status;
    std::string body;
    FailureClass expected;
  };
  const std::vector<Row> rows = {
      {400,
       R"({"errors":[{"message":"The to email does not contain a valid address.","field":"personalizations.0.to.0.email","help":"http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to"}]})",
       FailureClass::permanent},
      {400,
       R"({"errors":[{"message":"Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.","field":"content","help":null}]})",
       FailureClass::permanent},
      {401,
       R"({"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked","field":null,"help":null}]})",
       FailureClass::provider_down},
      {403,
       R"({"errors":[{"message":"The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.","field":"from","help":null}]})",
       FailureClass::provider_down},
      {403, R"({"errors":[{"message":"access forbidden","field":null,"help":null}]})",
       FailureClass::provider_down},
      {404, R"({"errors":[{"message":"not found","field":null}]})", FailureClass::provider_down},
      {405, "", FailureClass::permanent},
      {406, "", FailureClass::permanent},
      {413, R"({"errors":[{"message":"content too large","field":null,"help":null}]})",
       FailureClass::permanent},
      {415, "", FailureClass::permanent},
      {429, R"({"errors":[{"field":null,"message":"too many requests"}]})",
       FailureClass::transient},
      {451, "", FailureClass::provider_down},
      {500, R"({"errors":[{"field":null,"message":"internal server error"}]})",
       FailureClass::provider_down},
      {502, "", FailureClass::provider_down},
      {503, "", FailureClass::provider_down},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(row.status) + " " + row.body);
    auto r = classify_sendgrid_send(answer(row.status, row.body), SystemTime{});
    EXPECT_EQ(r.failure_class, row.expected);
    EXPECT_EQ(r.code, std::to_string(row.status));
  }
}

TEST(SendGridClassify, DetailListsEachErrorWithItsField) {
  auto r = classify_sendgrid_send(
      answer(400,
             R"({"errors":[{"message":"bad to","field":"personalizations.0.to","help":{"x":1}},)"
             R"({"message":"bad from","field":null,"help":"http://x"}],"id":"abc"})"),
      SystemTime{});
  EXPECT_EQ(r.detail, "personalizations.0.to: bad to; bad from");
}

TEST(SendGridClassify, RateLimitWaitsForTheResetTime) {
  auto now = from_unix_ms(1'700'000'000'000);
  auto r = classify_sendgrid_send(
      answer(429, R"({"errors":[{"field":null,"message":"too many requests"}]})",
             {{"X-RateLimit-Limit", "600"},
              {"X-RateLimit-Remaining", "0"},
              {"X-RateLimit-Reset", "1700000030"}}),
      now);
  EXPECT_EQ(r.failure_class, FailureClass::transient);
  ASSERT_TRUE(r.retry_after);
  EXPECT_EQ(*r.retry_after, 30s);
}

TEST(SendGridClassify, ProbeNeedsTheMailSendScope) {
  EXPECT_TRUE(
      classify_sendgrid_probe(answer(200, R"({"scopes":["alerts.read","mail.send"]})")).healthy);
  auto p = classify_sendgrid_probe(answer(200, R"({"scopes":["alerts.read"]})"));
  EXPECT_FALSE(p.healthy);
  EXPECT_EQ(p.failure_class, FailureClass::provider_down);
  p = classify_sendgrid_probe(answer(401, R"({"errors":[{"message":"bad key","field":null}]})"));
  EXPECT_FALSE(p.healthy);
  EXPECT_EQ(p.failure_class, FailureClass::provider_down);
  p = classify_sendgrid_probe(answer(429, ""));
  EXPECT_EQ(p.failure_class, FailureClass::transient);
  p = classify_sendgrid_probe(answer(503, ""));
  EXPECT_EQ(p.failure_class, FailureClass::provider_down);
}

}  // namespace
}  // namespace postern::providers::sendgrid
