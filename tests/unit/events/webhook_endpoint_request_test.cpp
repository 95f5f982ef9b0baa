// The body of POST /v1/webhook-endpoints: what it accepts, what it refuses
// naming the field, and its invariants on mutated bodies (the fuzz
// target's).
#include <gtest/gtest.h>

#include <random>

#include "support/mutator.h"
#include "webhook_endpoint_request_check.h"

namespace postern::events {
namespace {

TEST(WebhookEndpointRequest, AcceptsAnHttpUrlAndKnownTypes) {
  auto r = parse_webhook_endpoint_request(
      R"({"url":"https://hooks.example.com:8443/in?x=1","events":["message.sent","recipient.bounced"]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->url, "https://hooks.example.com:8443/in?x=1");
  EXPECT_EQ(r->events, (std::vector<std::string>{"message.sent", "recipient.bounced"}));
  auto all = parse_webhook_endpoint_request(R"({"url":"http://127.0.0.1:9/","events":null})");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->events.empty());
}

TEST(WebhookEndpointRequest, KeepsTheSchemeInLowerCase) {
  // Found by the fuzz target: a scheme is case-insensitive, so "httpS" is
  // accepted, and stored as "https".
  auto r = parse_webhook_endpoint_request(R"({"url":"httpS://hooks.example.com/in"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->url, "https://hooks.example.com/in");
}

TEST(WebhookEndpointRequest, RefusalsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"(nope)", "body"},
      {R"([])", "body"},
      {R"({})", "url"},
      {R"({"url":"mailto:a@b.c"})", "url"},
      {R"({"url":"https://"})", "url"},
      {R"({"url":"/relative"})", "url"},
      {R"({"url":"https://x.example/#frag"})", "url"},
      {R"({"url":"https://x.example/","events":"message.sent"})", "events"},
      {R"({"url":"https://x.example/","events":["message.sent",3]})", "events[1]"},
      {R"({"url":"https://x.example/","events":["message.sent","message.sent"]})", "events[1]"},
      {R"({"url":"https://x.example/","events":["message.nope"]})", "events[0]"},
      {R"({"url":"https://x.example/","enabled":false})", "enabled"},
  };
  for (const auto& [body, field] : cases) {
    auto r = parse_webhook_endpoint_request(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().field, field) << body;
  }
}

TEST(WebhookEndpointRequest, MutatedBodiesKeepTheInvariants) {
  const std::vector<std::string> seeds = {
      R"({"url":"https://hooks.example.com/in","events":["message.sent","recipient.bounced"]})",
      R"({"url":"http://[::1]:8080/x?y=%20","events":[]})",
      R"({"events":["message.accepted"],"url":"http://a"})",
  };
  std::mt19937 rng(20261207);
  test::Mutator mutator(rng, R"({}[]":,.htps/ :%@?#\0123456789abcdefmessagerecipient)", seeds);
  for (int i = 0; i < 5000; ++i) {
    auto input = mutator.mutate(seeds[rng() % seeds.size()]);
    test::check_webhook_endpoint_request(input, [&](bool ok, const char* what) {
      ASSERT_TRUE(ok) << what << " for input:\n" << input;
    });
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace postern::events
