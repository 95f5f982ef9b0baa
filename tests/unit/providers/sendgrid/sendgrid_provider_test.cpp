// SendGrid requests as they go on the wire: the mail/send JSON for
// structured and raw mail (parsed with GMime), recipients without To, the
// probe and the settings.
#include "providers/sendgrid/sendgrid_provider.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/base64.h"
#include "providers/provider_test_support.h"
#include "support/recording_http_server.h"

namespace postern::providers::sendgrid {
namespace {

namespace json = boost::json;
using namespace test_support;
using postern::test::CannedResponse;
using postern::test::RecordedRequest;
using postern::test::RecordingHttpServer;

CannedResponse accepted(const RecordedRequest&) { return {202, {{"X-Message-Id", "sg-id-1"}}, ""}; }

class SendGridProviderTest : public ::testing::Test {
 protected:
  std::unique_ptr<Provider> make(const RecordingHttpServer& server,
                                 std::map<std::string, std::string> settings = {}) {
    settings.insert({{"api_key", "SG.key"}, {"base_url", server.url()}});
    return harness_.create(SendGridFactory(), std::move(settings));
  }
  json::object body_of(const RecordingHttpServer& server) {
    return json::parse(server.last_request().body).as_object();
  }
  ProviderHarness harness_;
};

TEST_F(SendGridProviderTest, SendsStructuredMailAsMailSendJson) {
  RecordingHttpServer server(accepted);
  auto provider = make(server);
  auto message = json_message(sample_message());
  auto result = harness_.send(*provider, message);
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(result.provider_message_id, "sg-id-1");

  auto r = server.last_request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v3/mail/send");
  EXPECT_EQ(r.header("Authorization"), "Bearer SG.key");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto body = json::parse(r.body);
  auto expected = json::parse(R"({
    "personalizations": [{
      "to": [{"email": "juergen@example.de", "name": "Jürgen Müller"}, {"email": "plain@example.org"}],
      "cc": [{"email": "cc@example.net", "name": "Ünïcödé Cc"}],
      "bcc": [{"email": "hidden@example.com"}]}],
    "from": {"email": "from@example.com", "name": "Zoë Sender"},
    "reply_to": {"email": "support@example.com", "name": "Support"},
    "subject": "Grüße aus Köln — 你好",
    "content": [{"type": "text/plain", "value": "Hallo Jürgen,\n.dot line\nbye\n"},
                {"type": "text/html", "value": "<p>Hallo J&uuml;rgen, <img src=\"cid:logo\"></p>"}],
    "attachments": [
      {"content": "JVBERi0xLjQAAQL/", "filename": "résumé.pdf", "type": "application/pdf", "disposition": "attachment"},
      {"content": "iVBORw0KGgo=", "filename": "logo.png", "type": "image/png", "disposition": "inline", "content_id": "logo"}],
    "headers": {"X-Campaign": "spring-2024", "X-Postern-Id": "ID"},
    "categories": ["welcome", "spring", "de", "fourth"],
    "custom_args": {"postern_id": "ID", "customer": "42", "plan": "pro"}
  })");
  auto& o = expected.as_object();
  o["headers"].as_object()["X-Postern-Id"] = message->id_string();
  o["custom_args"].as_object()["postern_id"] = message->id_string();
  EXPECT_EQ(body, expected) << r.body;
}

TEST_F(SendGridProviderTest, SendsRawMailParsedIntoTheJsonFields) {
  RecordingHttpServer server(accepted);
  auto provider = make(server);
  auto message = raw_message(sample_raw_message(), sample_raw_envelope(), {"receipts"});
  auto result = harness_.send(*provider, message);
  ASSERT_EQ(result.failure_class, FailureClass::ok) << result.code << " " << result.detail;

  auto body = body_of(server);
  // The envelope decides the recipients: the Bcc only it knows is there.
  EXPECT_EQ(
      json::serialize(body.at("personalizations")),
      R"([{"to":[{"email":"juergen@example.de","name":"Jürgen"}],"bcc":[{"email":"hidden@example.com"}]}])");
  EXPECT_EQ(json::serialize(body.at("from")), R"({"email":"from@example.com","name":"Zoë"})");
  EXPECT_EQ(body.at("subject"), "Grüße");
  auto& content = body.at("content").as_array();
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(content[0].at("type"), "text/plain");  // text/plain first
  EXPECT_EQ(content[0].at("value"), "Grüße\n.leading dot");
  EXPECT_EQ(content[1].at("type"), "text/html");
  auto& attachments = body.at("attachments").as_array();
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0].at("filename"), "data.csv");
  EXPECT_EQ(base64_decode(std::string(attachments[0].at("content").as_string())).value(),
            "a,b\n1,2\n");
  auto& headers = body.at("headers").as_object();
  EXPECT_EQ(headers.at("X-Mailer"), "test-suite");
  for (const char* forbidden :
       {"From", "To", "Subject", "Content-Type", "MIME-Version", "Bcc", "Message-ID"}) {
    EXPECT_FALSE(headers.contains(forbidden)) << forbidden;
  }
  EXPECT_EQ(json::serialize(body.at("categories")), R"(["receipts"])");
  EXPECT_EQ(body.at("custom_args").at("postern_id").as_string(), message->id_string());
}

TEST_F(SendGridProviderTest, MailWithoutToGetsAPersonalizationPerBccRecipient) {
  RecordingHttpServer server(accepted);
  auto provider = make(server, {{"sandbox_mode", "true"}});
  Message m = sample_message();
  m.to.clear();
  m.cc.clear();
  m.bcc = {{"", "b1@example.com"}, {"", "b2@example.com"}};
  m.reply_to = {{"", "r1@example.com"}, {"", "r2@example.com"}};
  m.attachments.clear();
  m.text.clear();
  m.html.clear();
  m.text = "x";
  m.subject.clear();
  ASSERT_EQ(harness_.send(*provider, json_message(m)).failure_class, FailureClass::ok);
  auto body = body_of(server);
  EXPECT_EQ(json::serialize(body.at("personalizations")),
            R"([{"to":[{"email":"b1@example.com"}]},{"to":[{"email":"b2@example.com"}]}])");
  EXPECT_EQ(json::serialize(body.at("reply_to_list")),
            R"([{"email":"r1@example.com"},{"email":"r2@example.com"}])");
  EXPECT_EQ(body.at("subject"), " ");
  EXPECT_EQ(json::serialize(body.at("mail_settings")), R"({"sandbox_mode":{"enable":true}})");
}

TEST_F(SendGridProviderTest, NamesLoseSeparatorsAndCategoriesStopAtTen) {
  RecordingHttpServer server(accepted);
  auto provider = make(server);
  Message m = sample_message();
  m.to = {{"Doe, John; Jr", "john@example.com"}};
  std::vector<std::string> tags;
  for (int i = 0; i < 12; ++i) tags.push_back("t" + std::to_string(i % 11));
  ASSERT_EQ(harness_.send(*provider, json_message(m, tags)).failure_class, FailureClass::ok);
  auto body = body_of(server);
  EXPECT_EQ(body.at("personalizations").at(0).at("to").at(0).at("name"), "Doe  John  Jr");
  EXPECT_EQ(body.at("categories").as_array().size(), 10u);
}

TEST_F(SendGridProviderTest, ProbesTheScopes) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, R"({"scopes":["mail.send"]})"};
  });
  auto provider = make(server);
  EXPECT_TRUE(harness_.probe(*provider).healthy);
  EXPECT_EQ(server.last_request().path, "/v3/scopes");
  EXPECT_EQ(server.last_request().header("Authorization"), "Bearer SG.key");
}

TEST_F(SendGridProviderTest, SettingsAndLimits) {
  auto settings =
      read_sendgrid_settings(provider_config("sendgrid", {{"api_key", "k"}, {"base_url", "eu"}}));
  EXPECT_EQ(settings.value().base_url, "https://api.eu.sendgrid.com");
  EXPECT_EQ(read_sendgrid_settings(provider_config("sendgrid", {})).error().key,
            "providers[0].api_key");
  EXPECT_EQ(read_sendgrid_settings(provider_config("sendgrid", {{"api_key", "k"}, {"domain", "x"}}))
                .error()
                .key,
            "providers[0].domain");
  RecordingHttpServer server;
  auto provider = make(server);
  EXPECT_EQ(provider->max_recipients(), 1000u);
  EXPECT_LT(provider->max_message_bytes(), 30'000'000u);
}

}  // namespace
}  // namespace postern::providers::sendgrid
