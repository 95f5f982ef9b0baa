// Simulated Mailgun: auth, Mailgun's error texts, its success shape,
// .mime sends, the domain probe and the fault answers.
#include "sim/mailgun/mailgun_service.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "providers/mailgun/multipart_form.h"
#include "sim_test_support.h"

namespace postern::sim {
namespace {

using testing::Context;
using testing::json_of;

class MailgunServiceTest : public ::testing::Test {
 protected:
  MailgunServiceTest() : service_(MailgunSettings{"key-test", {"mg.example.com"}}, 1) {}

  net::HttpRequest post(const std::string& path, const providers::mailgun::MultipartForm& form,
                        const std::string& key = "key-test") {
    auto encoded = form.encode("seed");
    return testing::request("POST", path,
                            {{"Authorization", "Basic " + base64_encode("api:" + key)},
                             {"Content-Type", encoded.content_type}},
                            encoded.body);
  }

  static providers::mailgun::MultipartForm good_form() {
    providers::mailgun::MultipartForm form;
    form.add_field("from", "App <app@mg.example.com>");
    form.add_field("to", "a@example.org, B <b@example.org>");
    form.add_field("subject", "Hi");
    form.add_field("text", "Hello");
    form.add_field("v:postern-id", "0abcdefghjkmn");
    return form;
  }

  ServiceAnswer send(const net::HttpRequest& r) { return service_.handle(r, context_.get()); }

  MailgunService service_;
  Context context_;
};

TEST_F(MailgunServiceTest, AcceptsAndAnswersQueued) {
  auto answer = send(post("/v3/mg.example.com/messages", good_form()));
  ASSERT_EQ(answer.response.status, 200) << answer.response.body;
  auto body = json_of(answer.response);
  EXPECT_EQ(body.at("message").as_string(), "Queued. Thank you.");
  std::string id(body.at("id").as_string());
  EXPECT_TRUE(id.starts_with("<20261123120000.")) << id;
  EXPECT_TRUE(id.ends_with("@mg.example.com>")) << id;
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.accepted->postern_id, "0abcdefghjkmn");
  EXPECT_EQ(answer.accepted->provider_message_id, id);
}

TEST_F(MailgunServiceTest, WrongKeyIsForbidden) {
  auto answer = send(post("/v3/mg.example.com/messages", good_form(), "key-other"));
  EXPECT_EQ(answer.response.status, 401);
  EXPECT_EQ(answer.response.body, "Forbidden");
  EXPECT_FALSE(answer.accepted);
  auto no_auth = testing::request("POST", "/v3/mg.example.com/messages");
  EXPECT_EQ(send(no_auth).response.status, 401);
}

TEST_F(MailgunServiceTest, MissingFieldsGetTheRealTexts) {
  auto expect_message = [&](const providers::mailgun::MultipartForm& form, std::string_view text) {
    auto answer = send(post("/v3/mg.example.com/messages", form));
    EXPECT_EQ(answer.response.status, 400);
    EXPECT_EQ(json_of(answer.response).at("message").as_string(), text);
    EXPECT_FALSE(answer.accepted);
  };
  providers::mailgun::MultipartForm no_from;
  no_from.add_field("to", "a@example.org");
  no_from.add_field("text", "x");
  expect_message(no_from, "from parameter is missing");
  providers::mailgun::MultipartForm no_to;
  no_to.add_field("from", "a@example.org");
  no_to.add_field("text", "x");
  expect_message(no_to, "to parameter is missing");
  providers::mailgun::MultipartForm no_body;
  no_body.add_field("from", "a@example.org");
  no_body.add_field("to", "b@example.org");
  expect_message(no_body, "Need at least one of 'text' or 'html' parameters specified");
  auto bad_to = good_form();
  bad_to.add_field("to", "not an address");
  expect_message(bad_to, "to parameter is not a valid address. please check documentation");
  auto big = good_form();
  big.add_field("v:blob", std::string(17 * 1024, 'x'));
  expect_message(
      big, "Send options (parameters starting with o:, h:, or v:) are limited to 16 kB total");
}

TEST_F(MailgunServiceTest, JsonBodyReadsAsMissingParameters) {
  auto r = testing::request("POST", "/v3/mg.example.com/messages",
                            {{"Authorization", "Basic " + base64_encode("api:key-test")},
                             {"Content-Type", "application/json"}},
                            R"({"from":"a@b.c"})");
  auto answer = send(r);
  EXPECT_EQ(answer.response.status, 400);
  EXPECT_EQ(json_of(answer.response).at("message").as_string(), "from parameter is missing");
}

TEST_F(MailgunServiceTest, UnknownDomain) {
  auto answer = send(post("/v3/other.example.com/messages", good_form()));
  EXPECT_EQ(answer.response.status, 404);
  EXPECT_EQ(json_of(answer.response).at("message").as_string(),
            "Domain not found: other.example.com");
}

TEST_F(MailgunServiceTest, MimeSendTakesTheIdFromTheMessage) {
  providers::mailgun::MultipartForm form;
  form.add_field("to", "a@example.org");
  form.add_file(
      "message", "message.mime", "message/rfc822",
      "From: a@mg.example.com\r\nX-Postern-Id: 0zzzzzzzzzzzz\r\nSubject: s\r\n\r\nbody\r\n");
  auto answer = send(post("/v3/mg.example.com/messages.mime", form));
  ASSERT_EQ(answer.response.status, 200) << answer.response.body;
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.accepted->postern_id, "0zzzzzzzzzzzz");

  providers::mailgun::MultipartForm not_file;
  not_file.add_field("to", "a@example.org");
  not_file.add_field("message", "From: a@b.c\r\n\r\nx");
  auto refused = send(post("/v3/mg.example.com/messages.mime", not_file));
  EXPECT_EQ(refused.response.status, 400);
  EXPECT_EQ(json_of(refused.response).at("message").as_string(),
            "'message' parameter is not a file");
}

TEST_F(MailgunServiceTest, DomainProbe) {
  auto r = testing::request("GET", "/v3/domains/mg.example.com",
                            {{"Authorization", "Basic " + base64_encode("api:key-test")}});
  EXPECT_TRUE(service_.is_probe(r));
  auto answer = send(r);
  ASSERT_EQ(answer.response.status, 200);
  auto domain = json_of(answer.response).at("domain").as_object();
  EXPECT_EQ(domain.at("state").as_string(), "active");
  EXPECT_FALSE(domain.at("is_disabled").as_bool());
  EXPECT_FALSE(answer.accepted);
}

TEST_F(MailgunServiceTest, FaultAnswers) {
  auto r = post("/v3/mg.example.com/messages", good_form());
  auto throttled = service_.throttled(r, std::chrono::seconds(30), testing::fixed_now());
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(json_of(throttled).at("message").as_string(),
            "Domain mg.example.com is not allowed to send: request limit exceeded, try again after "
            "Mon, 23 Nov 2026 "
            "12:00:30 UTC");
  EXPECT_EQ(service_.unauthorized(r).body, "Forbidden");
  EXPECT_EQ(service_.server_error(r, 502).status, 502);
}

}  // namespace
}  // namespace postern::sim
