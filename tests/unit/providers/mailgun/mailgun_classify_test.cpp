// Mailgun's classification table, row by row, from Mailgun's answer
// shapes (docs/providers.md, Failure classes).
#include <gtest/gtest.h>

#include "mime/date.h"
#include "providers/mailgun/mailgun_provider.h"

namespace postern::providers::mailgun {
namespace {

using namespace std::chrono_literals;

net::HttpClientResponse answer(int status, std::string body, net::HttpClientHeaders headers = {}) {
  return {status, std::move(headers), std::move(body)};
}

struct Row {
  int status;
  std::string body;
  FailureClass expected;
};

TEST(MailgunClassify, EveryRowOfTheTable) {
  const std::vector<Row> rows = {
      {400, R"({"message":"to parameter is not a valid address. please check documentation"})",
       FailureClass::permanent},
      {400, R"({"message":"from parameter is missing"})", FailureClass::permanent},
      {400, R"({"message":"Need at least one of 'text' or 'html' parameters specified"})",
       FailureClass::permanent},
      {400,
       R"({"message":"Send options (parameters starting with o:, h:, or v:) are limited to 16 kB total"})",
       FailureClass::permanent},
      {400,
       R"({"message":"Domain example.com is not allowed to send: Sandbox subdomains are for test purposes only. Please add your own domain or add the address to authorized recipients in Account Settings."})",
       FailureClass::provider_down},
      {400,
       R"({"message":"Domain example.com is not allowed to send: Free accounts are for test purposes only."})",
       FailureClass::provider_down},
      {400,
       R"({"message":"Domain example.com is not allowed to send: The domain is unverified and requires DNS configuration."})",
       FailureClass::provider_down},
      {401, "Forbidden", FailureClass::provider_down},
      {402, R"({"message":"Request failed"})", FailureClass::provider_down},
      {403, R"({"message":"Domain example.com is not allowed to send large batches yet"})",
       FailureClass::provider_down},
      {403, R"({"message":"Rejected: IP 192.0.2.1 can't be used to send the message"})",
       FailureClass::provider_down},
      {404, R"({"message":"Domain not found: example.com"})", FailureClass::provider_down},
      {413, R"({"message":"request size exceeds 52.4MiB limit"})", FailureClass::permanent},
      {429, R"({"message":"too many requests"})", FailureClass::transient},
      {500, R"({"message":"Internal Server Error"})", FailureClass::provider_down},
      {502, "<html>Bad Gateway</html>", FailureClass::provider_down},
      {503, "", FailureClass::provider_down},
      {504, "", FailureClass::provider_down},
      {405, "", FailureClass::permanent},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(row.status) + " " + row.body);
    auto r = classify_mailgun_send(answer(row.status, row.body), SystemTime{});
    EXPECT_EQ(r.failure_class, row.expected);
    EXPECT_EQ(r.code, std::to_string(row.status));
    EXPECT_TRUE(r.provider_message_id.empty());
  }
}

TEST(MailgunClassify, AcceptedMessageKeepsTheIdWithoutBrackets) {
  auto r = classify_mailgun_send(
      answer(
          200,
          R"({"id": "<20111114174239.25659.5817@samples.mailgun.org>", "message": "Queued. Thank you."})"),
      SystemTime{});
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.provider_message_id, "20111114174239.25659.5817@samples.mailgun.org");
  EXPECT_EQ(r.detail, "Queued. Thank you.");
}

TEST(MailgunClassify, DetailCarriesTheMessageText) {
  auto r = classify_mailgun_send(answer(404, R"({"message":"Domain not found: example.com"})"),
                                 SystemTime{});
  EXPECT_EQ(r.detail, "Domain not found: example.com");
  r = classify_mailgun_send(answer(401, "Forbidden"), SystemTime{});
  EXPECT_EQ(r.detail, "Forbidden");
}

TEST(MailgunClassify, RateLimitWaitsUntilTheDateInTheText) {
  auto now = *mime::parse_date("Mon, 20 Dec 2021 20:33:01 UTC");
  for (std::string why : {"request", "recipient", "bytes"}) {
    auto r = classify_mailgun_send(
        answer(429, R"({"message":"Domain example.com is not allowed to send: )" + why +
                        R"( limit exceeded, try again after Mon, 20 Dec 2021 20:33:21 UTC"})"),
        now);
    EXPECT_EQ(r.failure_class, FailureClass::transient) << why;
    ASSERT_TRUE(r.retry_after) << why;
    EXPECT_EQ(*r.retry_after, 20s) << why;
  }
}

TEST(MailgunClassify, RateLimitHonoursRetryAfterAndOtherwiseGivesNoHint) {
  auto r = classify_mailgun_send(answer(429, R"({"message":"slow down"})", {{"Retry-After", "7"}}),
                                 SystemTime{});
  ASSERT_TRUE(r.retry_after);
  EXPECT_EQ(*r.retry_after, 7s);
  r = classify_mailgun_send(answer(429, R"({"message":"slow down"})"), SystemTime{});
  EXPECT_FALSE(r.retry_after);
}

TEST(MailgunClassify, ProbeNeedsAnActiveEnabledDomain) {
  auto healthy = classify_mailgun_probe(answer(
      200,
      R"({"domain":{"name":"mg.example.com","state":"active","is_disabled":false,"type":"custom"},"receiving_dns_records":[],"sending_dns_records":[]})"));
  EXPECT_TRUE(healthy.healthy);

  struct ProbeRow {
    int status;
    std::string body;
    FailureClass expected;
  };
  const std::vector<ProbeRow> rows = {
      {200, R"({"domain":{"name":"mg.example.com","state":"unverified","is_disabled":false}})",
       FailureClass::provider_down},
      {200, R"({"domain":{"name":"mg.example.com","state":"active","is_disabled":true}})",
       FailureClass::provider_down},
      {200, R"({"domain":{"name":"mg.example.com","state":"disabled","is_disabled":true}})",
       FailureClass::provider_down},
      {200, "not json", FailureClass::provider_down},
      {401, "Forbidden", FailureClass::provider_down},
      {403, R"({"message":"Forbidden"})", FailureClass::provider_down},
      {404, R"({"message":"Domain not found"})", FailureClass::provider_down},
      {429, R"({"message":"too many requests"})", FailureClass::transient},
      {503, "", FailureClass::provider_down},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(std::to_string(row.status) + " " + row.body);
    auto p = classify_mailgun_probe(answer(row.status, row.body));
    EXPECT_FALSE(p.healthy);
    EXPECT_EQ(p.failure_class, row.expected);
    EXPECT_FALSE(p.detail.empty());
  }
}

}  // namespace
}  // namespace postern::providers::mailgun
