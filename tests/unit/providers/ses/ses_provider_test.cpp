// SES v2 requests as they go on the wire: SendEmail with Content.Raw, the
// envelope as Destination, the Postern id as an email tag, and a SigV4
// signature over exactly the headers and body that were sent.
#include "providers/ses/ses_provider.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/base64.h"
#include "providers/provider_test_support.h"
#include "support/recording_http_server.h"

namespace postern::providers::ses {
namespace {

namespace json = boost::json;
using namespace test_support;
using postern::test::CannedResponse;
using postern::test::RecordedRequest;
using postern::test::RecordingHttpServer;

CannedResponse accepted(const RecordedRequest&) {
  return {200, {{"x-amzn-RequestId", "r1"}}, R"({"MessageId":"0100018bd3c4-example-000000"})"};
}

class SesProviderTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> settings_for(const RecordingHttpServer& server) {
    return {{"access_key_id", "AKIDEXAMPLE"},
            {"secret_access_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
            {"region", "eu-west-1"},
            {"endpoint", server.url()}};
  }
  std::unique_ptr<Provider> make(std::map<std::string, std::string> settings) {
    return harness_.create(SesFactory(), std::move(settings));
  }
  // Re-signs the recorded request: equal only if every signed byte arrived.
  static void expect_valid_signature(const RecordedRequest& r, SystemTime at,
                                     const std::string& token = "") {
    SigV4Request request;
    request.method = r.method;
    request.path = r.path;
    request.query = r.query;
    for (const char* name : {"Host", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token"}) {
      if (!r.header(name).empty()) request.headers.emplace_back(name, r.header(name));
    }
    request.body = r.body;
    auto expected =
        sign_v4(request, {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token},
                {"eu-west-1", "ses"}, at);
    EXPECT_EQ(r.header("Authorization"), expected.authorization);
  }
  ProviderHarness harness_;
};

TEST_F(SesProviderTest, SendsRawContentSignedWithSigV4) {
  RecordingHttpServer server(accepted);
  auto provider = make(settings_for(server));
  auto message = raw_message(sample_raw_message(), sample_raw_envelope());
  auto result = harness_.send(*provider, message);
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(result.provider_message_id, "0100018bd3c4-example-000000");

  auto r = server.last_request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v2/email/outbound-emails");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.header("X-Amz-Date"), "20231114T221320Z");  // the fake clock
  EXPECT_EQ(r.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(
      r.header("Authorization")
          .rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/ses/aws4_request, "
                 "SignedHeaders=content-type;host;x-amz-date, Signature=",
                 0),
      0u)
      << r.header("Authorization");
  expect_valid_signature(r, harness_.clock().now());

  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(base64_decode(std::string(body.at("Content").at("Raw").at("Data").as_string())).value(),
            **message->mime());
  EXPECT_EQ(json::serialize(body.at("Destination")),
            R"({"ToAddresses":["juergen@example.de"],"BccAddresses":["hidden@example.com"]})");
  EXPECT_EQ(json::serialize(body.at("EmailTags")),
            R"([{"Name":"postern_id","Value":")" + message->id_string() + "\"}]");
  EXPECT_FALSE(body.contains("FromEmailAddress"));
  EXPECT_FALSE(body.contains("ConfigurationSetName"));
}

TEST_F(SesProviderTest, SendsStructuredMailAsTheBuiltMime) {
  RecordingHttpServer server(accepted);
  auto settings = settings_for(server);
  settings["configuration_set"] = "transactional";
  settings["session_token"] = "FwoGZXIvYXdzEXAMPLE";
  auto provider = make(settings);
  auto message = json_message(sample_message());
  ASSERT_EQ(harness_.send(*provider, message).failure_class, FailureClass::ok);
  auto r = server.last_request();
  EXPECT_EQ(r.header("X-Amz-Security-Token"), "FwoGZXIvYXdzEXAMPLE");
  EXPECT_NE(r.header("Authorization")
                .find("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"),
            std::string::npos);
  expect_valid_signature(r, harness_.clock().now(), "FwoGZXIvYXdzEXAMPLE");
  auto body = json::parse(r.body).as_object();
  auto mime =
      base64_decode(std::string(body.at("Content").at("Raw").at("Data").as_string())).value();
  EXPECT_EQ(mime, **message->mime());
  EXPECT_NE(mime.find("X-Postern-Id: " + message->id_string()), std::string::npos);
  EXPECT_EQ(
      json::serialize(body.at("Destination")),
      R"({"ToAddresses":["juergen@example.de","plain@example.org"],"CcAddresses":["cc@example.net"],)"
      R"("BccAddresses":["hidden@example.com"]})");
  EXPECT_EQ(body.at("ConfigurationSetName"), "transactional");
}

TEST_F(SesProviderTest, ClassifiesErrorsFromTheErrorTypeHeader) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{
        400,
        {{"x-amzn-ErrorType",
          "MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/"}},
        R"({"message":"Email address is not verified."})"};
  });
  auto provider = make(settings_for(server));
  auto result = harness_.send(*provider, raw_message(sample_raw_message(), sample_raw_envelope()));
  EXPECT_EQ(result.failure_class, FailureClass::permanent);
  EXPECT_EQ(result.code, "MessageRejected");
  EXPECT_EQ(result.detail, "Email address is not verified.");
}

TEST_F(SesProviderTest, ProbesTheAccountWithASignedGet) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, R"({"SendingEnabled":true,"EnforcementStatus":"HEALTHY"})"};
  });
  auto provider = make(settings_for(server));
  EXPECT_TRUE(harness_.probe(*provider).healthy);
  auto r = server.last_request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/v2/email/account");
  EXPECT_TRUE(r.header("Content-Type").empty());
  EXPECT_NE(r.header("Authorization").find("SignedHeaders=host;x-amz-date,"), std::string::npos);
  expect_valid_signature(r, harness_.clock().now());
}

TEST_F(SesProviderTest, SettingsAndLimits) {
  auto settings = read_ses_settings(provider_config(
      "ses", {{"access_key_id", "a"}, {"secret_access_key", "s"}, {"region", "eu-central-1"}}));
  EXPECT_EQ(settings.value().endpoint, "https://email.eu-central-1.amazonaws.com");
  auto key = [](std::map<std::string, std::string> s) {
    auto r = read_ses_settings(provider_config("ses", std::move(s)));
    return r ? std::string("ok") : r.error().key;
  };
  EXPECT_EQ(key({{"secret_access_key", "s"}, {"region", "us-east-1"}}),
            "providers[0].access_key_id");
  EXPECT_EQ(key({{"access_key_id", "a"}, {"region", "us-east-1"}}),
            "providers[0].secret_access_key");
  EXPECT_EQ(key({{"access_key_id", "a"}, {"secret_access_key", "s"}}), "providers[0].region");
  EXPECT_EQ(key({{"access_key_id", "a"}, {"secret_access_key", "s"}, {"region", "US EAST"}}),
            "providers[0].region");
  EXPECT_EQ(key({{"access_key_id", "a"},
                 {"secret_access_key", "s"},
                 {"region", "us-east-1"},
                 {"endpoint", "x"}}),
            "providers[0].endpoint");
  EXPECT_EQ(key({{"access_key_id", "a"},
                 {"secret_access_key", "s"},
                 {"region", "us-east-1"},
                 {"api_key", "x"}}),
            "providers[0].api_key");
  RecordingHttpServer server;
  auto provider = make(settings_for(server));
  EXPECT_EQ(provider->max_recipients(), 50u);
  EXPECT_EQ(provider->max_message_bytes(), 30'000'000u);
}

}  // namespace
}  // namespace postern::providers::ses
