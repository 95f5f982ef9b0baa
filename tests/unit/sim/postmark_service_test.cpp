// Simulated Postmark: token, JSON headers, the ErrorCode
// bodies (10, 300, 402, 406, 409), its success shape and the probe.
#include "sim/postmark/postmark_service.h"

#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace postern::sim {
namespace {

using testing::json_of;

constexpr std::string_view kGood =
    R"({"From":"App <app@example.com>","To":"a@example.org","Subject":"Hi","TextBody":"Hello",)"
    R"("Metadata":{"postern_id":"0abcdefghjkmn"}})";

class PostmarkServiceTest : public ::testing::Test {
 protected:
  PostmarkServiceTest() : service_(PostmarkSettings{"token-test"}, 1) {}

  ServiceAnswer send(std::string_view body,
                     net::HttpHeaders headers = {{"X-Postmark-Server-Token", "token-test"},
                                                 {"Accept", "application/json"},
                                                 {"Content-Type", "application/json"}}) {
    return service_.handle(
        testing::request("POST", "/email", std::move(headers), std::string(body)), context_.get());
  }

  void expect_error(const ServiceAnswer& answer, int status, int code,
                    std::string_view message = {}) {
    EXPECT_EQ(answer.response.status, status) << answer.response.body;
    auto body = json_of(answer.response);
    EXPECT_EQ(body.at("ErrorCode").as_int64(), code);
    if (!message.empty()) {
      EXPECT_EQ(body.at("Message").as_string(), message);
    }
    EXPECT_FALSE(answer.accepted);
  }

  PostmarkService service_;
  testing::Context context_;
};

TEST_F(PostmarkServiceTest, AcceptsWithTheDocumentedShape) {
  auto answer = send(kGood);
  ASSERT_EQ(answer.response.status, 200) << answer.response.body;
  auto body = json_of(answer.response);
  EXPECT_EQ(body.at("To").as_string(), "a@example.org");
  EXPECT_EQ(body.at("SubmittedAt").as_string(), "2026-11-23T12:00:00.0000000+00:00");
  EXPECT_EQ(body.at("MessageID").as_string().size(), 36u);
  EXPECT_EQ(body.at("ErrorCode").as_int64(), 0);
  EXPECT_EQ(body.at("Message").as_string(), "OK");
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.accepted->postern_id, "0abcdefghjkmn");
}

TEST_F(PostmarkServiceTest, Tokens) {
  expect_error(send(kGood, {{"X-Postmark-Server-Token", "wrong"},
                            {"Accept", "application/json"},
                            {"Content-Type", "application/json"}}),
               401, 10, "Request does not contain a valid Server token.");
  expect_error(send(kGood, {{"Accept", "application/json"}, {"Content-Type", "application/json"}}),
               401, 10);
}

TEST_F(PostmarkServiceTest, JsonHeadersAndBody) {
  expect_error(send(kGood, {{"X-Postmark-Server-Token", "token-test"},
                            {"Content-Type", "application/json"}}),
               422, 409);
  expect_error(send(kGood, {{"X-Postmark-Server-Token", "token-test"},
                            {"Accept", "application/json"},
                            {"Content-Type", "text/plain"}}),
               422, 409);
  expect_error(send("{nope"), 422, 402, "Received invalid JSON input.");
}

TEST_F(PostmarkServiceTest, InvalidAddressesAndBody) {
  expect_error(send(R"({"From":"bad","To":"a@example.org","TextBody":"x"})"), 422, 300,
               "Invalid 'From' address: 'bad'.");
  expect_error(send(R"({"From":"a@example.com","TextBody":"x"})"), 422, 300,
               "Zero recipients specified");
  expect_error(send(R"({"From":"a@example.com","To":"a@example.org, nope","TextBody":"x"})"), 422,
               300, "Invalid 'To' address: 'a@example.org, nope'.");
  expect_error(send(R"({"From":"a@example.com","To":"a@example.org"})"), 422, 300,
               "Provide either email TextBody or HtmlBody or both.");
}

TEST_F(PostmarkServiceTest, InactiveRecipients) {
  FaultSpec spec;
  spec.reject = {"bounced*@*"};
  context_.faults.set(spec);
  auto answer = send(R"({"From":"a@example.com","To":"ok@example.org, bounced1@example.org",)"
                     R"("Cc":"bounced2@example.org","TextBody":"x"})");
  expect_error(answer, 422, 406,
               "You tried to send to recipient(s) that have been marked as inactive. Found "
               "inactive addresses: "
               "bounced1@example.org, bounced2@example.org. Inactive recipients are ones that have "
               "generated a hard "
               "bounce, a spam complaint, or a manual suppression.");
}

TEST_F(PostmarkServiceTest, ServerProbeAndFaults) {
  auto r = testing::request("GET", "/server", {{"X-Postmark-Server-Token", "token-test"}});
  ASSERT_TRUE(service_.is_probe(r));
  auto answer = service_.handle(r, context_.get());
  ASSERT_EQ(answer.response.status, 200);
  EXPECT_EQ(json_of(answer.response).at("Name").as_string(), "postern-sim");

  auto throttled = service_.throttled(r, std::chrono::seconds(1), testing::fixed_now());
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(json_of(throttled).at("ErrorCode").as_int64(), 429);
  EXPECT_EQ(json_of(service_.server_error(r, 503)).at("ErrorCode").as_int64(), 100);
  EXPECT_FALSE(json_of(service_.server_error(r, 500)).contains("ErrorCode"));
}

}  // namespace
}  // namespace postern::sim
