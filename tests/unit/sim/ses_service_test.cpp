// Simulated SES v2: the SigV4 check against a request
// botocore signed (the derived SendEmail vector of sigv4-vectors.json) and
// against Postern's signer, the rest-json errors, Raw and Simple content.
#include "sim/ses/ses_service.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "providers/ses/sigv4.h"
#include "sim_test_support.h"

namespace postern::sim {
namespace {

using testing::header_of;
using testing::json_of;

// The suite's credentials and date (sigv4-vectors.json "defaults").
SesCredentials suite_credentials() {
  return SesCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1"};
}
SystemTime suite_time() {
  return SystemTime(std::chrono::seconds(1440938160));
}  // 20150830T123600Z

// "ses-v2-sendemail-derived": signed by botocore 1.43.11, not by Postern.
net::HttpRequest botocore_send_email() {
  return testing::request(
      "POST", "/v2/email/outbound-emails",
      {{"Host", "email.us-east-1.amazonaws.com"},
       {"Content-Type", "application/json"},
       {"X-Amz-Date", "20150830T123600Z"},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ses/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=f21def08f9c9f8e3610957c25611aeed6a066b1da63a407f3dff0e847f77c2e3"}},
      R"({"FromEmailAddress":"sender@example.com","Destination":{"ToAddresses":["recipient@example.com"]},)"
      R"("Content":{"Simple":{"Subject":{"Data":"Test","Charset":"UTF-8"},"Body":{"Text":{"Data":"Hello",)"
      R"("Charset":"UTF-8"}}}}})");
}

// Signs like Postern's SES client does.
net::HttpRequest signed_request(const std::string& method, const std::string& path,
                                const std::string& body, const SesCredentials& credentials,
                                SystemTime at) {
  providers::ses::SigV4Request to_sign{method, path, "", {{"Host", "127.0.0.1:4566"}}, body};
  if (!body.empty()) to_sign.headers.emplace_back("Content-Type", "application/json");
  auto result = providers::ses::sign_v4(
      to_sign, {credentials.access_key_id, credentials.secret_access_key, ""},
      {credentials.region, "ses"}, at);
  auto headers = to_sign.headers;
  headers.emplace_back("Authorization", result.authorization);
  headers.emplace_back("User-Agent", "postern");  // never signed
  return testing::request(method, path, std::move(headers), body);
}

TEST(SigV4Check, AcceptsBotocoreSignature) {
  EXPECT_FALSE(check_sigv4(botocore_send_email(), suite_credentials(), suite_time()));
  EXPECT_FALSE(check_sigv4(botocore_send_email(), suite_credentials(),
                           suite_time() + std::chrono::minutes(14)));
}

TEST(SigV4Check, RefusesTamperingWrongKeysAndClocks) {
  auto tampered = botocore_send_email();
  tampered.body += " ";
  auto r = check_sigv4(tampered, suite_credentials(), suite_time());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->type, "SignatureDoesNotMatch");

  auto other_secret = suite_credentials();
  other_secret.secret_access_key = "different";
  EXPECT_EQ(check_sigv4(botocore_send_email(), other_secret, suite_time())->type,
            "SignatureDoesNotMatch");

  auto other_key = suite_credentials();
  other_key.access_key_id = "AKIDOTHER";
  EXPECT_EQ(check_sigv4(botocore_send_email(), other_key, suite_time())->type,
            "UnrecognizedClientException");

  auto other_region = suite_credentials();
  other_region.region = "eu-west-1";
  EXPECT_EQ(check_sigv4(botocore_send_email(), other_region, suite_time())->message,
            "Credential should be scoped to a valid region. ");

  auto late = check_sigv4(botocore_send_email(), suite_credentials(),
                          suite_time() + std::chrono::minutes(16));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->type, "InvalidSignatureException");
  EXPECT_TRUE(late->message.starts_with("Signature expired: 20150830T123600Z is now earlier than"))
      << late->message;

  auto unsigned_request = botocore_send_email();
  unsigned_request.headers.pop_back();
  EXPECT_EQ(check_sigv4(unsigned_request, suite_credentials(), suite_time())->type,
            "MissingAuthenticationTokenException");
  auto garbled = botocore_send_email();
  garbled.headers.back().second = "AWS4-HMAC-SHA256 Signature=abc";
  EXPECT_EQ(check_sigv4(garbled, suite_credentials(), suite_time())->type, "IncompleteSignature");
}

class SesServiceTest : public ::testing::Test {
 protected:
  SesServiceTest() : service_(SesSettings{SesCredentials{}, {}, 1e9, 1e6}, 1) {}

  ServiceAnswer call(const std::string& method, const std::string& path,
                     const std::string& body = "") {
    auto now = testing::fixed_now();
    auto r = signed_request(method, path, body, SesCredentials{}, now);
    return service_.handle(r, context_.get(7));
  }

  SesService service_;
  testing::Context context_;
};

TEST_F(SesServiceTest, RawSendWithTagAnswersMessageId) {
  auto raw =
      base64_encode("From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\n\r\nhello\r\n");
  auto answer = call("POST", "/v2/email/outbound-emails",
                     R"({"Content":{"Raw":{"Data":")" + raw +
                         R"("}},"EmailTags":[{"Name":"postern_id","Value":"0abcdefghjkmn"}]})");
  ASSERT_EQ(answer.response.status, 200) << answer.response.body;
  std::string id(json_of(answer.response).at("MessageId").as_string());
  EXPECT_TRUE(id.ends_with("-000000")) << id;
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.accepted->postern_id, "0abcdefghjkmn");
  EXPECT_FALSE(header_of(answer.response, "x-amzn-RequestId").empty());
}

TEST_F(SesServiceTest, RawIdFromHeaderAndBadBase64) {
  auto raw = base64_encode("From: a@example.com\r\nX-Postern-Id: 0zzzzzzzzzzzz\r\n\r\nhello\r\n");
  auto answer =
      call("POST", "/v2/email/outbound-emails", R"({"Content":{"Raw":{"Data":")" + raw + R"("}}})");
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.accepted->postern_id, "0zzzzzzzzzzzz");

  auto bad = call("POST", "/v2/email/outbound-emails", R"({"Content":{"Raw":{"Data":"***"}}})");
  EXPECT_EQ(bad.response.status, 400);
  EXPECT_EQ(header_of(bad.response, "x-amzn-ErrorType"), "BadRequestException");
  EXPECT_TRUE(json_of(bad.response).contains("message"));
}

TEST_F(SesServiceTest, SimpleValidation) {
  auto missing =
      call("POST", "/v2/email/outbound-emails", R"({"FromEmailAddress":"a@example.com"})");
  EXPECT_EQ(missing.response.status, 400);
  EXPECT_EQ(header_of(missing.response, "x-amzn-ErrorType"), "BadRequestException");

  auto no_body =
      call("POST", "/v2/email/outbound-emails",
           R"({"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":["b@example.org"]},)"
           R"("Content":{"Simple":{"Subject":{"Data":"s"}}}})");
  EXPECT_EQ(no_body.response.status, 400);

  std::string many = R"({"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":[)";
  for (int i = 0; i < 51; ++i)
    many += (i ? "," : "") + std::string("\"u") + std::to_string(i) + "@example.org\"";
  many += R"(]},"Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"x"}}}}})";
  auto too_many = call("POST", "/v2/email/outbound-emails", many);
  EXPECT_EQ(too_many.response.status, 400);
  EXPECT_EQ(header_of(too_many.response, "x-amzn-ErrorType"), "MessageRejected");
}

TEST_F(SesServiceTest, UnverifiedSender) {
  SesService strict(SesSettings{SesCredentials{}, {"example.com"}, 1e9, 1e6}, 2);
  auto body =
      R"({"FromEmailAddress":"a@other.example","Destination":{"ToAddresses":["b@example.org"]},)"
      R"("Content":{"Simple":{"Subject":{"Data":"s"},"Body":{"Text":{"Data":"x"}}}}})";
  auto r = signed_request("POST", "/v2/email/outbound-emails", body, SesCredentials{},
                          testing::fixed_now());
  auto answer = strict.handle(r, context_.get());
  EXPECT_EQ(answer.response.status, 400);
  EXPECT_EQ(header_of(answer.response, "x-amzn-ErrorType"), "MessageRejected");
  EXPECT_EQ(json_of(answer.response).at("message").as_string(),
            "Email address is not verified. The following identities failed the check in region "
            "US-EAST-1: "
            "a@other.example");
}

TEST_F(SesServiceTest, AccountProbe) {
  auto answer = call("GET", "/v2/email/account");
  ASSERT_EQ(answer.response.status, 200) << answer.response.body;
  auto account = json_of(answer.response);
  EXPECT_TRUE(account.at("SendingEnabled").as_bool());
  EXPECT_EQ(account.at("EnforcementStatus").as_string(), "HEALTHY");
  EXPECT_EQ(account.at("SendQuota").at("SentLast24Hours").as_double(), 7.0);
}

TEST_F(SesServiceTest, FaultAnswers) {
  auto r = testing::request("POST", "/v2/email/outbound-emails");
  auto throttled = service_.throttled(r, std::chrono::seconds(1), testing::fixed_now());
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(header_of(throttled, "x-amzn-ErrorType"), "TooManyRequestsException");
  EXPECT_EQ(header_of(service_.unauthorized(r), "x-amzn-ErrorType"), "UnrecognizedClientException");
  EXPECT_EQ(header_of(service_.server_error(r, 503), "x-amzn-ErrorType"), "ServiceUnavailable");
  EXPECT_EQ(header_of(service_.server_error(r, 500), "x-amzn-ErrorType"), "InternalFailure");
}

}  // namespace
}  // namespace postern::sim
