// Postmark requests as they go on the wire: the /email JSON for structured
// and raw mail, the token header, mail without To, the probe, settings.
#include "providers/postmark/postmark_provider.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "providers/provider_test_support.h"
#include "support/recording_http_server.h"

namespace postern::providers::postmark {
namespace {

namespace json = boost::json;
using namespace test_support;
using postern::test::CannedResponse;
using postern::test::RecordedRequest;
using postern::test::RecordingHttpServer;

CannedResponse accepted(const RecordedRequest&) {
  return {200, {}, R"({"To":"juergen@example.de","SubmittedAt":"2014-02-17T07:25:01.4178645-05:00",
                       "MessageID":"0a129aee-e1cd-480d-b08d-4f48548ff48d","ErrorCode":0,"Message":"OK"})"};
}

class PostmarkProviderTest : public ::testing::Test {
 protected:
  std::unique_ptr<Provider> make(const RecordingHttpServer& server,
                                 std::map<std::string, std::string> settings = {}) {
    settings.insert({{"api_key", "server-token"}, {"base_url", server.url()}});
    return harness_.create(PostmarkFactory(), std::move(settings));
  }
  ProviderHarness harness_;
};

TEST_F(PostmarkProviderTest, SendsStructuredMailAsEmailJson) {
  RecordingHttpServer server(accepted);
  auto provider = make(server, {{"message_stream", "outbound"}});
  auto message = json_message(sample_message());
  auto result = harness_.send(*provider, message);
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(result.provider_message_id, "0a129aee-e1cd-480d-b08d-4f48548ff48d");

  auto r = server.last_request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/email");
  EXPECT_EQ(r.header("X-Postmark-Server-Token"), "server-token");
  EXPECT_EQ(r.header("Accept"), "application/json");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto expected = json::parse(R"({
    "From": "Zoë Sender <from@example.com>",
    "To": "Jürgen Müller <juergen@example.de>, plain@example.org",
    "Cc": "Ünïcödé Cc <cc@example.net>",
    "Bcc": "hidden@example.com",
    "Subject": "Grüße aus Köln — 你好",
    "TextBody": "Hallo Jürgen,\n.dot line\nbye\n",
    "HtmlBody": "<p>Hallo J&uuml;rgen, <img src=\"cid:logo\"></p>",
    "ReplyTo": "Support <support@example.com>",
    "Headers": [{"Name": "X-Campaign", "Value": "spring-2024"}, {"Name": "X-Postern-Id", "Value": "ID"}],
    "Attachments": [
      {"Name": "résumé.pdf", "Content": "JVBERi0xLjQAAQL/", "ContentType": "application/pdf"},
      {"Name": "logo.png", "Content": "iVBORw0KGgo=", "ContentType": "image/png", "ContentID": "cid:logo"}],
    "Tag": "welcome",
    "Metadata": {"postern_id": "ID", "customer": "42", "plan": "pro"},
    "MessageStream": "outbound"
  })");
  expected.as_object()["Headers"].as_array()[1].as_object()["Value"] = message->id_string();
  expected.as_object()["Metadata"].as_object()["postern_id"] = message->id_string();
  EXPECT_EQ(json::parse(r.body), expected) << r.body;
}

TEST_F(PostmarkProviderTest, SendsRawMailParsedIntoTheJsonFields) {
  RecordingHttpServer server(accepted);
  auto provider = make(server);
  auto message = raw_message(sample_raw_message(), sample_raw_envelope(), {"receipts", "second"});
  auto result = harness_.send(*provider, message);
  ASSERT_EQ(result.failure_class, FailureClass::ok) << result.code << " " << result.detail;
  auto body = json::parse(server.last_request().body).as_object();
  EXPECT_EQ(body.at("From"), "Zoë <from@example.com>");
  EXPECT_EQ(body.at("To"), "Jürgen <juergen@example.de>");
  EXPECT_EQ(body.at("Bcc"), "hidden@example.com");
  EXPECT_EQ(body.at("Subject"), "Grüße");
  EXPECT_TRUE(body.contains("TextBody"));
  EXPECT_EQ(body.at("HtmlBody").as_string().subview().substr(0, 8), "<b>Hi</b");
  EXPECT_EQ(body.at("Attachments").at(0).at("Name"), "data.csv");
  EXPECT_EQ(body.at("Tag"), "receipts");
  EXPECT_FALSE(body.contains("MessageStream"));
}

TEST_F(PostmarkProviderTest, CcStandsInForAMissingToAndBccOnlyMailGoesElsewhere) {
  RecordingHttpServer server(accepted);
  auto provider = make(server);
  Message m = sample_message();
  m.to.clear();
  ASSERT_EQ(harness_.send(*provider, json_message(m)).failure_class, FailureClass::ok);
  auto body = json::parse(server.last_request().body).as_object();
  EXPECT_EQ(body.at("To"), "Ünïcödé Cc <cc@example.net>");
  EXPECT_FALSE(body.contains("Cc"));

  m.cc.clear();
  auto result = harness_.send(*provider, json_message(m));
  EXPECT_EQ(result.failure_class, FailureClass::transient);
  EXPECT_EQ(result.code, "unsupported_recipients");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(PostmarkProviderTest, ClassifiesErrorCodes) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{
        422, {}, R"({"ErrorCode": 300, "Message": "Invalid 'From' address: 'x'."})"};
  });
  auto provider = make(server);
  auto result = harness_.send(*provider, json_message(sample_message()));
  EXPECT_EQ(result.failure_class, FailureClass::permanent);
  EXPECT_EQ(result.code, "ErrorCode 300");
}

TEST_F(PostmarkProviderTest, ProbesTheServer) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, R"({"ID":1})"};
  });
  auto provider = make(server);
  EXPECT_TRUE(harness_.probe(*provider).healthy);
  EXPECT_EQ(server.last_request().path, "/server");
  EXPECT_EQ(server.last_request().header("X-Postmark-Server-Token"), "server-token");
}

TEST_F(PostmarkProviderTest, SettingsAndLimits) {
  EXPECT_EQ(read_postmark_settings(provider_config("postmark", {})).error().key,
            "providers[0].api_key");
  EXPECT_EQ(read_postmark_settings(provider_config("postmark", {{"api_key", "t"}, {"stream", "x"}}))
                .error()
                .key,
            "providers[0].stream");
  EXPECT_EQ(
      read_postmark_settings(provider_config("postmark", {{"api_key", "t"}})).value().base_url,
      "https://api.postmarkapp.com");
  RecordingHttpServer server;
  auto provider = make(server);
  EXPECT_EQ(provider->max_recipients(), 50u);
  EXPECT_EQ(provider->max_message_bytes(), 10'000'000u);
}

}  // namespace
}  // namespace postern::providers::postmark
