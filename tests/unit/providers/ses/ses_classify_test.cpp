// SES's classification table, row by row, from the rest-json error shapes
// (x-amzn-ErrorType header, message/Message body).
#include <gtest/gtest.h>

#include "providers/ses/ses_provider.h"

namespace postern::providers::ses {
namespace {

net::HttpClientResponse error(int status, std::string type, std::string message,
                              bool capital = false) {
  net::HttpClientHeaders headers = {{"x-amzn-RequestId", "req-1"}};
  if (!type.empty()) headers.emplace_back("x-amzn-ErrorType", type);
  return {status, headers,
          std::string("{\"") + (capital ? "Message" : "message") + "\":\"" + message + "\"}"};
}

TEST(SesClassify, AcceptedMessageReturnsItsId) {
  auto r = classify_ses_send(
      {200, {}, R"({"MessageId":"01010161b06c7f94-f36c15a6-1e25-49b2-a48d-772fb35fe846-000000"})"},
      SystemTime{});
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.provider_message_id, "01010161b06c7f94-f36c15a6-1e25-49b2-a48d-772fb35fe846-000000");
}

TEST(SesClassify, EveryErrorTypeOfTheTable) {
  struct Row {
    int status;
    std::string type;
    FailureClass expected;
  };
  const std::vector<Row> rows = {
      {400, "MessageRejected", FailureClass::permanent},
      {400, "MailFromDomainNotVerifiedException", FailureClass::provider_down},
      {429, "TooManyRequestsException", FailureClass::transient},
      {400, "LimitExceededException", FailureClass::transient},
      {400, "AccountSuspendedException", FailureClass::provider_down},
      {400, "SendingPausedException", FailureClass::provider_down},
      {404, "NotFoundException", FailureClass::provider_down},
      {400, "BadRequestException", FailureClass::permanent},
      {403, "AccessDeniedException", FailureClass::provider_down},
      {403, "IncompleteSignature", FailureClass::provider_down},
      {500, "InternalFailure", FailureClass::provider_down},
      {403, "InvalidClientTokenId", FailureClass::provider_down},
      {401, "NotAuthorized", FailureClass::provider_down},
      {403, "OptInRequired", FailureClass::provider_down},
      {400, "RequestExpired", FailureClass::provider_down},
      {503, "ServiceUnavailable", FailureClass::provider_down},
      {400, "ThrottlingException", FailureClass::transient},
      {400, "Throttling", FailureClass::transient},
      {400, "ValidationError", FailureClass::permanent},
      {403, "SignatureDoesNotMatch", FailureClass::provider_down},
      {400, "InvalidSignatureException", FailureClass::provider_down},
      {403, "UnrecognizedClientException", FailureClass::provider_down},
      {403, "AccessDenied", FailureClass::provider_down},
      // Unknown types fall back on the status.
      {400, "SomethingNew", FailureClass::permanent},
      {403, "SomethingNew", FailureClass::provider_down},
      {502, "", FailureClass::provider_down},
      {504, "", FailureClass::provider_down},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(row.status) + " " + row.type);
    auto r = classify_ses_send(error(row.status, row.type, "why"), SystemTime{});
    EXPECT_EQ(r.failure_class, row.expected);
    EXPECT_EQ(r.code, row.type.empty() ? std::to_string(row.status) : row.type);
    EXPECT_EQ(r.detail, "why");
  }
}

TEST(SesClassify, ErrorTypeIsCutAtColonAndHash) {
  auto r = classify_ses_send(
      error(400, "MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/",
            "Email address is not verified. The following identities failed the check in region "
            "US-EAST-1: a@b.c"),
      SystemTime{});
  EXPECT_EQ(r.code, "MessageRejected");
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_NE(r.detail.find("not verified"), std::string::npos);
  EXPECT_EQ(
      ses_error_type({400, {{"X-Amzn-ErrorType", "aws.sesv2#BadRequestException:http://x"}}, ""}),
      "BadRequestException");
}

TEST(SesClassify, ErrorTypeFallsBackOnTheBody) {
  EXPECT_EQ(
      ses_error_type(
          {400, {}, R"({"__type":"com.amazon.coral.service#ThrottlingException","message":"x"})"}),
      "ThrottlingException");
  EXPECT_EQ(ses_error_type({400, {}, R"({"code":"MessageRejected"})"}), "MessageRejected");
  EXPECT_EQ(ses_error_type({400, {}, R"({"Code":"BadRequestException"})"}), "BadRequestException");
  auto r = classify_ses_send(error(400, "MessageRejected", "capital M", true), SystemTime{});
  EXPECT_EQ(r.detail, "capital M");
}

TEST(SesClassify, QuotaTextsDecideBetweenThrottleAndOutage) {
  auto rate = classify_ses_send(error(400, "ThrottlingException", "Maximum sending rate exceeded."),
                                SystemTime{});
  EXPECT_EQ(rate.failure_class, FailureClass::transient);
  EXPECT_TRUE(rate.throttled);  // no Retry-After from SES: the type says it
  auto daily = classify_ses_send(error(400, "ThrottlingException", "Daily message quota exceeded."),
                                 SystemTime{});
  EXPECT_EQ(daily.failure_class, FailureClass::provider_down);
  auto daily429 = classify_ses_send(
      error(429, "TooManyRequestsException", "Daily message quota exceeded."), SystemTime{});
  EXPECT_EQ(daily429.failure_class, FailureClass::provider_down);
  EXPECT_FALSE(classify_ses_send(error(500, "InternalFailure", "x"), SystemTime{}).throttled);
}

TEST(SesClassify, ProbeReadsTheAccount) {
  auto ok = classify_ses_probe(
      {200,
       {},
       R"({"SendingEnabled":true,"EnforcementStatus":"HEALTHY","ProductionAccessEnabled":true,
      "SendQuota":{"Max24HourSend":50000.0,"MaxSendRate":14.0,"SentLast24Hours":12.0}})"});
  EXPECT_TRUE(ok.healthy);
  auto unlimited =
      classify_ses_probe({200, {}, R"({"SendingEnabled":true,"EnforcementStatus":"PROBATION",
      "SendQuota":{"Max24HourSend":-1.0,"MaxSendRate":14.0,"SentLast24Hours":99999.0}})"});
  EXPECT_TRUE(unlimited.healthy);

  const std::vector<std::string> unhealthy = {
      R"({"SendingEnabled":false,"EnforcementStatus":"HEALTHY"})",
      R"({"SendingEnabled":true,"EnforcementStatus":"SHUTDOWN"})",
      R"({"SendingEnabled":true,"EnforcementStatus":"HEALTHY","SendQuota":{"Max24HourSend":200.0,"MaxSendRate":1.0,"SentLast24Hours":200.0}})",
  };
  for (const auto& body : unhealthy) {
    auto p = classify_ses_probe({200, {}, body});
    EXPECT_FALSE(p.healthy) << body;
    EXPECT_EQ(p.failure_class, FailureClass::provider_down) << body;
  }
  auto denied = classify_ses_probe(
      error(403, "InvalidClientTokenId", "The security token included in the request is invalid."));
  EXPECT_FALSE(denied.healthy);
  EXPECT_EQ(denied.failure_class, FailureClass::provider_down);
  auto throttled = classify_ses_probe(error(429, "TooManyRequestsException", "Too many requests"));
  EXPECT_EQ(throttled.failure_class, FailureClass::transient);
}

}  // namespace
}  // namespace postern::providers::ses
