// Mailgun requests as they go on the wire (recording server): method, path,
// auth, every form field for structured mail, the .mime shape for raw mail,
// the probe, settings, and transport failures.
#include "providers/mailgun/mailgun_provider.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "providers/provider_test_support.h"
#include "support/recording_http_server.h"

namespace postern::providers::mailgun {
namespace {

using namespace test_support;
using postern::test::CannedResponse;
using postern::test::RecordedRequest;
using postern::test::RecordingHttpServer;

const char* kQueued = R"({"id": "<0001@mg.example.com>", "message": "Queued. Thank you."})";

class MailgunProviderTest : public ::testing::Test {
 protected:
  std::unique_ptr<Provider> make(std::map<std::string, std::string> settings) {
    return harness_.create(MailgunFactory(), std::move(settings));
  }
  std::unique_ptr<Provider> make_for(const RecordingHttpServer& server) {
    return make({{"api_key", "key-123"}, {"domain", "mg.example.com"}, {"base_url", server.url()}});
  }
  ProviderHarness harness_;
};

TEST_F(MailgunProviderTest, SendsStructuredMailAsFormFields) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, kQueued};
  });
  auto provider = make_for(server);
  auto message = sample_message();
  auto result = harness_.send(*provider, json_message(message));
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  EXPECT_EQ(result.provider_message_id, "0001@mg.example.com");

  auto r = server.last_request();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v3/mg.example.com/messages");
  EXPECT_EQ(r.header("Authorization"), "Basic " + base64_encode("api:key-123"));
  auto form = parse_form(r.header("Content-Type"), r.body);
  ASSERT_FALSE(form.empty());
  EXPECT_EQ(form_values(form, "from"), std::vector<std::string>{"Zoë Sender <from@example.com>"});
  EXPECT_EQ(form_values(form, "to"),
            (std::vector<std::string>{"Jürgen Müller <juergen@example.de>", "plain@example.org"}));
  EXPECT_EQ(form_values(form, "cc"), std::vector<std::string>{"Ünïcödé Cc <cc@example.net>"});
  EXPECT_EQ(form_values(form, "bcc"), std::vector<std::string>{"hidden@example.com"});
  EXPECT_EQ(form_values(form, "subject"), std::vector<std::string>{message.subject});
  EXPECT_EQ(form_values(form, "text"), std::vector<std::string>{message.text});
  EXPECT_EQ(form_values(form, "html"), std::vector<std::string>{message.html});
  EXPECT_EQ(form_values(form, "h:Reply-To"),
            std::vector<std::string>{"Support <support@example.com>"});
  EXPECT_EQ(form_values(form, "h:X-Campaign"), std::vector<std::string>{"spring-2024"});
  auto id = json_message(message)->id_string();
  EXPECT_EQ(form_values(form, "h:X-Postern-Id"), std::vector<std::string>{id});
  EXPECT_EQ(form_values(form, "v:postern-id"), std::vector<std::string>{id});
  EXPECT_EQ(form_values(form, "v:customer"), std::vector<std::string>{"42"});
  // At most three tags.
  EXPECT_EQ(form_values(form, "o:tag"), (std::vector<std::string>{"welcome", "spring", "de"}));

  const FormPart* attachment = nullptr;
  const FormPart* inline_part = nullptr;
  for (const auto& p : form) {
    if (p.name == "attachment") attachment = &p;
    if (p.name == "inline") inline_part = &p;
  }
  ASSERT_TRUE(attachment && inline_part);
  EXPECT_TRUE(attachment->is_file);
  EXPECT_EQ(attachment->filename, "résumé.pdf");
  EXPECT_EQ(attachment->content_type, "application/pdf");
  EXPECT_EQ(attachment->content, message.attachments[0].content);
  EXPECT_EQ(inline_part->filename, "logo");  // the content id: Mailgun's cid is the file name
  EXPECT_EQ(inline_part->content, message.attachments[1].content);
}

TEST_F(MailgunProviderTest, StructuredMailNamesOnlyTheEnvelopesRecipients) {
  // A recipient left out of the envelope (suppressed at intake) is not
  // asked for, though the message's fields still name it.
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, kQueued};
  });
  auto provider = make_for(server);
  auto message = sample_message();
  auto envelope = envelope_of(message);
  std::erase_if(envelope.recipients, [](const Recipient& r) {
    return r.address == "plain@example.org" || r.address == "cc@example.net";
  });
  auto json = json_message(message);
  auto outbound = std::make_shared<OutboundMessage>(json->id(), ContentFormat::json,
                                                    std::string(json->content()), envelope,
                                                    message.tags, json->created_at());
  auto result = harness_.send(*provider, outbound);
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;
  auto form = parse_form(server.last_request().header("Content-Type"), server.last_request().body);
  EXPECT_EQ(form_values(form, "to"),
            std::vector<std::string>{"Jürgen Müller <juergen@example.de>"});
  EXPECT_TRUE(form_values(form, "cc").empty());
  EXPECT_EQ(form_values(form, "bcc"), std::vector<std::string>{"hidden@example.com"});
}

TEST_F(MailgunProviderTest, SendsRawMailToMessagesMimeWithEveryEnvelopeRecipient) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, kQueued};
  });
  auto provider = make({{"api_key", "key-123"},
                        {"domain", "mg.example.com"},
                        {"base_url", server.url()},
                        {"test_mode", "true"}});
  auto message = raw_message(sample_raw_message(), sample_raw_envelope(), {"receipts"});
  auto result = harness_.send(*provider, message);
  EXPECT_EQ(result.failure_class, FailureClass::ok) << result.detail;

  auto r = server.last_request();
  EXPECT_EQ(r.path, "/v3/mg.example.com/messages.mime");
  auto form = parse_form(r.header("Content-Type"), r.body);
  EXPECT_EQ(form_values(form, "to"),
            (std::vector<std::string>{"juergen@example.de", "hidden@example.com"}));
  EXPECT_EQ(form_values(form, "o:tag"), std::vector<std::string>{"receipts"});
  EXPECT_EQ(form_values(form, "o:testmode"), std::vector<std::string>{"yes"});
  EXPECT_EQ(form_values(form, "v:postern-id"), std::vector<std::string>{message->id_string()});
  const FormPart* file = nullptr;
  for (const auto& p : form) {
    if (p.name == "message") file = &p;
  }
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->is_file);  // "'message' parameter is not a file" otherwise
  EXPECT_EQ(file->content, **message->mime());
  EXPECT_EQ(file->content.find("Bcc:"), std::string::npos);
}

TEST_F(MailgunProviderTest, ClassifiesTheAnswer) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{
        400,
        {},
        R"({"message":"to parameter is not a valid address. please check documentation"})"};
  });
  auto provider = make_for(server);
  auto result = harness_.send(*provider, json_message(sample_message()));
  EXPECT_EQ(result.failure_class, FailureClass::permanent);
  EXPECT_EQ(result.code, "400");
  EXPECT_NE(result.detail.find("not a valid address"), std::string::npos);
}

TEST_F(MailgunProviderTest, ProbesTheDomain) {
  RecordingHttpServer server([](const RecordedRequest&) {
    return CannedResponse{
        200, {}, R"({"domain":{"name":"mg.example.com","state":"active","is_disabled":false}})"};
  });
  auto provider = make_for(server);
  auto probe = harness_.probe(*provider);
  EXPECT_TRUE(probe.healthy) << probe.detail;
  auto r = server.last_request();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/v3/domains/mg.example.com");
  EXPECT_EQ(r.header("Authorization"), "Basic " + base64_encode("api:key-123"));
}

TEST_F(MailgunProviderTest, TransportFailuresAreClassified) {
  std::string gone_url;
  {
    RecordingHttpServer gone;
    gone_url = gone.url();
  }
  auto down = make({{"api_key", "k"}, {"domain", "mg.example.com"}, {"base_url", gone_url}});
  auto refused = harness_.send(*down, json_message(sample_message()));
  EXPECT_EQ(refused.failure_class, FailureClass::provider_down);
  EXPECT_EQ(refused.code, "connection_refused");
  EXPECT_EQ(harness_.probe(*down).failure_class, FailureClass::provider_down);

  RecordingHttpServer hanging([](const RecordedRequest&) { return CannedResponse{.hang = true}; });
  auto slow = make({{"api_key", "k"},
                    {"domain", "mg.example.com"},
                    {"base_url", hanging.url()},
                    {"timeout", "200ms"}});
  auto timed_out = harness_.send(*slow, json_message(sample_message()));
  // The request was sent: Mailgun may have queued it.
  EXPECT_EQ(timed_out.failure_class, FailureClass::transient);
  EXPECT_EQ(timed_out.code, "timeout_after_sent");
}

TEST_F(MailgunProviderTest, SettingsAreValidatedByName) {
  ProviderHarness h;
  MailgunFactory factory;
  auto error_key = [&](std::map<std::string, std::string> s) {
    auto r = factory.create(provider_config("mailgun", std::move(s)), h.context());
    return r ? std::string("ok") : r.error().key;
  };
  EXPECT_EQ(error_key({{"domain", "d.example"}}), "providers[0].api_key");
  EXPECT_EQ(error_key({{"api_key", "k"}}), "providers[0].domain");
  EXPECT_EQ(error_key({{"api_key", "k"}, {"domain", "d.example"}, {"region", "eu"}}),
            "providers[0].region");
  EXPECT_EQ(error_key({{"api_key", "k"}, {"domain", "d/../x"}}), "providers[0].domain");
  EXPECT_EQ(error_key({{"api_key", "k"}, {"domain", "d.example"}, {"base_url", "mars"}}),
            "providers[0].base_url");
  EXPECT_EQ(error_key({{"api_key", "k"}, {"domain", "d.example"}, {"timeout", "soon"}}),
            "providers[0].timeout");
  EXPECT_EQ(error_key({{"api_key", "k"}, {"domain", "d.example"}, {"base_url", "eu"}}), "ok");

  auto eu = read_mailgun_settings(
      provider_config("mailgun", {{"api_key", "k"}, {"domain", "d.example"}, {"base_url", "eu"}}));
  EXPECT_EQ(eu.value().base_url, "https://api.eu.mailgun.net");
  auto us = read_mailgun_settings(
      provider_config("mailgun", {{"api_key", "k"}, {"domain", "d.example"}}));
  EXPECT_EQ(us.value().base_url, "https://api.mailgun.net");
}

TEST_F(MailgunProviderTest, LimitsFollowProvidersMd) {
  auto provider = make({{"api_key", "k"}, {"domain", "d.example"}});
  EXPECT_EQ(provider->max_message_bytes(), 25'000'000u);
  EXPECT_EQ(provider->max_recipients(), 1000u);
  EXPECT_EQ(provider->type(), "mailgun");
}

}  // namespace
}  // namespace postern::providers::mailgun
