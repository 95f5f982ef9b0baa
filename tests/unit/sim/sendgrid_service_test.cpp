// Simulated SendGrid: Bearer auth, the body rules with SendGrid's error
// shape, 202 + X-Message-Id, and the X-RateLimit headers.
#include "sim/sendgrid/sendgrid_service.h"

#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace postern::sim {
namespace {

using testing::Context;
using testing::header_of;
using testing::json_of;

constexpr std::string_view kGood = R"({
  "personalizations": [{"to": [{"email": "a@example.org"}], "cc": [{"email": "c@example.org"}]}],
  "from": {"email": "app@example.com", "name": "App"},
  "subject": "Hi",
  "content": [{"type": "text/plain", "value": "Hello"}, {"type": "text/html", "value": "<p>Hello</p>"}],
  "custom_args": {"postern_id": "0abcdefghjkmn"}
})";

class SendGridServiceTest : public ::testing::Test {
 protected:
  SendGridServiceTest() : service_(SendGridSettings{"SG.test", 100}, 1) {}

  ServiceAnswer send(std::string_view body, std::string key = "SG.test") {
    auto r =
        testing::request("POST", "/v3/mail/send",
                         {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}},
                         std::string(body));
    return service_.handle(r, context_.get());
  }

  // The first error of a 400 answer.
  boost::json::object first_error(std::string_view body) {
    auto answer = send(body);
    EXPECT_EQ(answer.response.status, 400) << answer.response.body;
    EXPECT_FALSE(answer.accepted);
    return json_of(answer.response).at("errors").as_array().at(0).as_object();
  }

  SendGridService service_;
  Context context_;
};

TEST_F(SendGridServiceTest, Accepts202WithMessageId) {
  auto answer = send(kGood);
  ASSERT_EQ(answer.response.status, 202) << answer.response.body;
  EXPECT_TRUE(answer.response.body.empty());
  EXPECT_TRUE(answer.response.content_type.empty());
  auto id = header_of(answer.response, "X-Message-Id");
  EXPECT_EQ(id.size(), 22u);
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.accepted->postern_id, "0abcdefghjkmn");
  EXPECT_EQ(answer.accepted->provider_message_id, id);
  EXPECT_EQ(header_of(answer.response, "X-RateLimit-Limit"), "100");
  EXPECT_EQ(header_of(answer.response, "X-RateLimit-Remaining"), "99");
  EXPECT_EQ(header_of(answer.response, "X-RateLimit-Reset"), "1795435201");
}

TEST_F(SendGridServiceTest, AuthErrors) {
  auto wrong = send(kGood, "SG.other");
  EXPECT_EQ(wrong.response.status, 401);
  EXPECT_EQ(
      wrong.response.body,
      R"({"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked",)"
      R"("field":null,"help":null}]})");
  auto none = service_.handle(testing::request("POST", "/v3/mail/send"), context_.get());
  EXPECT_EQ(none.response.status, 401);
  EXPECT_EQ(json_of(none.response).at("errors").as_array()[0].at("message").as_string(),
            "authorization required");
}

TEST_F(SendGridServiceTest, ContentOrder) {
  auto e = first_error(R"({"personalizations": [{"to": [{"email": "a@example.org"}]}],
    "from": {"email": "app@example.com"}, "subject": "s",
    "content": [{"type": "text/html", "value": "<p>x</p>"}, {"type": "text/plain", "value": "x"}]})");
  EXPECT_EQ(e.at("message").as_string(),
            "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in "
            "your email: "
            "text/plain needs to be first, followed by text/html, followed by any other content.");
  EXPECT_EQ(e.at("field").as_string(), "content");
}

TEST_F(SendGridServiceTest, MissingPieces) {
  auto p = first_error(R"({"from": {"email": "app@example.com"}, "subject": "s",
                           "content": [{"type": "text/plain", "value": "x"}]})");
  EXPECT_EQ(p.at("message").as_string(),
            "The personalizations field is required and must have at least one personalization.");
  EXPECT_EQ(p.at("field").as_string(), "personalizations");
  EXPECT_EQ(p.at("help").as_string(),
            "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/"
            "errors.html#-Personalizations-Errors");

  auto to = first_error(R"({"personalizations": [{"cc": [{"email": "c@example.org"}]}],
    "from": {"email": "app@example.com"}, "subject": "s", "content": [{"type": "text/plain", "value": "x"}]})");
  EXPECT_EQ(to.at("field").as_string(), "personalizations.0.to");

  auto from =
      first_error(R"({"personalizations": [{"to": [{"email": "a@example.org"}]}], "subject": "s",
                              "content": [{"type": "text/plain", "value": "x"}]})");
  EXPECT_EQ(from.at("field").as_string(), "from.email");

  auto subject = first_error(R"({"personalizations": [{"to": [{"email": "a@example.org"}]}],
    "from": {"email": "app@example.com"}, "content": [{"type": "text/plain", "value": "x"}]})");
  EXPECT_EQ(subject.at("field").as_string(), "subject");

  auto value = first_error(R"({"personalizations": [{"to": [{"email": "a@example.org"}]}],
    "from": {"email": "app@example.com"}, "subject": "s", "content": [{"type": "text/plain", "value": ""}]})");
  EXPECT_EQ(value.at("message").as_string(),
            "The content value must be a string at least one character in length.");
  EXPECT_EQ(value.at("field").as_string(), "content.0.value");

  auto email = first_error(R"({"personalizations": [{"to": [{"email": "nope"}]}],
    "from": {"email": "app@example.com"}, "subject": "s", "content": [{"type": "text/plain", "value": "x"}]})");
  EXPECT_EQ(email.at("message").as_string(), "Does not contain a valid address.");
  EXPECT_EQ(email.at("field").as_string(), "personalizations.0.to.0.email");
}

TEST_F(SendGridServiceTest, SeveralErrorsAtOnceAndDuplicates) {
  auto answer = send(
      R"({"personalizations": [{"to": [{"email": "a@example.org"}], "bcc": [{"email": "A@example.org"}]}],
                         "content": [{"type": "text/plain", "value": "x"}]})");
  ASSERT_EQ(answer.response.status, 400);
  auto errors = json_of(answer.response).at("errors").as_array();
  ASSERT_EQ(errors.size(), 3u);  // duplicate, from, subject
  EXPECT_EQ(errors[0].at("field").as_string(), "personalizations.0");
}

TEST_F(SendGridServiceTest, SubjectFromEveryPersonalizationAndSandbox) {
  auto answer = send(R"({"personalizations": [{"to": [{"email": "a@example.org"}], "subject": "p"}],
    "from": {"email": "app@example.com"}, "content": [{"type": "text/plain", "value": "x"}],
    "mail_settings": {"sandbox_mode": {"enable": true}}})");
  EXPECT_EQ(answer.response.status, 200) << answer.response.body;
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.accepted->postern_id, "");
}

TEST_F(SendGridServiceTest, NotJson) {
  auto r =
      testing::request("POST", "/v3/mail/send",
                       {{"Authorization", "Bearer SG.test"}, {"Content-Type", "text/plain"}}, "x");
  EXPECT_EQ(service_.handle(r, context_.get()).response.status, 415);
  EXPECT_EQ(send("{not json").response.status, 400);
}

TEST_F(SendGridServiceTest, ScopesProbeAndThrottle) {
  auto r = testing::request("GET", "/v3/scopes", {{"Authorization", "Bearer SG.test"}});
  ASSERT_TRUE(service_.is_probe(r));
  auto answer = service_.handle(r, context_.get());
  ASSERT_EQ(answer.response.status, 200);
  EXPECT_EQ(json_of(answer.response).at("scopes").as_array()[0].as_string(), "mail.send");

  auto throttled = service_.throttled(r, std::chrono::seconds(9), testing::fixed_now());
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(header_of(throttled, "X-RateLimit-Remaining"), "0");
  EXPECT_EQ(header_of(throttled, "X-RateLimit-Reset"), "1795435209");
  EXPECT_EQ(throttled.body, R"({"errors":[{"field":null,"message":"too many requests"}]})");
}

}  // namespace
}  // namespace postern::sim
