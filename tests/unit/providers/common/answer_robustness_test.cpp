// Randomized robustness of reading provider answers: what comes back from
// Mailgun, SendGrid, SES and Postmark is input from the network, and a
// proxy, an outage page or a buggy rate limiter can put anything in it.
// Random statuses, hostile rate-limit headers (Retry-After of 10^17
// seconds, reset times in the year 9999, dates that are not dates) and
// mutated answer bodies go through each classifier, under ASan/UBSan.
// Whatever they are given:
// - a wait the provider asked for lies between 0 and kMaxProviderWait (the
//   router and the retry policy add it to the clock);
// - the code and the detail are valid UTF-8 of bounded length: they go
//   into the message's events, which the API serves as JSON;
// - an HTTP 5xx is neither a success nor a permanent failure: an outage
//   must not fail mail, nor pass for sending it;
// - a probe answered with an error status is never healthy.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <random>

#include "core/utf8.h"
#include "providers/common/retry_hint.h"
#include "providers/mailgun/mailgun_provider.h"
#include "providers/postmark/postmark_provider.h"
#include "providers/sendgrid/sendgrid_provider.h"
#include "providers/ses/ses_provider.h"

namespace postern::providers {
namespace {

using Rng = std::mt19937_64;
using namespace std::chrono_literals;

constexpr int kIterations = 4000;
constexpr std::size_t kMaxText = 2048;  // code or detail; the clip is ~300 bytes plus a prefix

struct ProviderAnswers {
  std::string_view name;
  std::function<SendResult(const net::HttpClientResponse&, SystemTime)> send;
  std::function<ProbeResult(const net::HttpClientResponse&)> probe;
  std::vector<std::string_view> bodies;  // answers as the provider words them
};

std::vector<ProviderAnswers> providers() {
  return {
      {"mailgun",
       mailgun::classify_mailgun_send,
       mailgun::classify_mailgun_probe,
       {R"({"id":"<20240101.1@mg.example.com>","message":"Queued. Thank you."})",
        R"({"message":"'to' parameter is not a valid address. please check documentation"})",
        R"({"message":"Domain example.com is not allowed to send: Rate limit exceeded, try again after Mon, 20 Dec 2021 20:33:21 UTC"})",
        R"({"domain":{"name":"mg.example.com","state":"active","is_disabled":false}})",
        "Forbidden"}},
      {"sendgrid",
       sendgrid::classify_sendgrid_send,
       sendgrid::classify_sendgrid_probe,
       {R"({"errors":[{"message":"The to email does not contain a valid address.","field":"personalizations.0.to.0.email","help":null}]})",
        R"({"errors":[{"field":null,"message":"authorization required"}]})",
        R"({"scopes":["mail.send","user.profile.read"]})", ""}},
      {"ses",
       ses::classify_ses_send,
       ses::classify_ses_probe,
       {R"({"MessageId":"0100018c5f1e6b7a-2c5f0e0d-1234-4b5c-9e8f-0123456789ab-000000"})",
        R"({"__type":"MessageRejected","message":"Email address is not verified."})",
        R"({"__type":"TooManyRequestsException","message":"Maximum sending rate exceeded."})",
        R"({"SendingEnabled":true,"ProductionAccessEnabled":true,"SendQuota":{"Max24HourSend":50000.0,"MaxSendRate":14.0,"SentLast24Hours":1.0}})",
        "<html><body>502 Bad Gateway</body></html>"}},
      {"postmark",
       postmark::classify_postmark_send,
       postmark::classify_postmark_probe,
       {R"({"ErrorCode":0,"Message":"OK","MessageID":"b7bc2f4a-e38e-4336-af7d-e6c392c2f817","SubmittedAt":"2024-01-01T00:00:00Z","To":"a@example.com"})",
        R"({"ErrorCode":406,"Message":"You tried to send to a recipient that has been marked as inactive.\nFound inactive addresses: a@example.com."})",
        R"({"ErrorCode":429,"Message":"Rate limit exceeded"})",
        R"({"ErrorCode":10,"Message":"No Account or Server API tokens were supplied in the HTTP headers."})",
        "Service Unavailable"}},
  };
}

constexpr std::array<int, 17> kStatuses = {200, 202, 204, 301, 400, 401, 403, 404, 408,
                                           413, 422, 429, 500, 502, 503, 504, 0};

// Values a broken or hostile rate limiter sends.
constexpr std::array<std::string_view, 15> kWaits = {
    "5",
    "0",
    "-1",
    "99999999999999999",
    "9223372036854775807",
    "18446744073709551616",
    "1e9",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sat, 29 Feb 2200 00:00:00 +9999",
    "31 Dec 2299 23:59:59 -9959",
    "Sat, 01 Jan 1680 00:00:00 GMT",
    "Mon, 20 Dec 2021 20:33:21 UTC",
    "soon",
    "",
};

constexpr std::array<std::string_view, 12> kBodyTokens = {
    "\"",
    "\\u0000",
    "\xFF",
    "\xC3",
    "\xE9t\xE9",
    "{",
    "}",
    "[",
    "]",
    "null",
    "try again after Fri, 31 Dec 9999 23:59:59 GMT",
    "try again after 1 Jan 0001 00:00:00 UT"};

std::string mutated(Rng& rng, std::string_view body) {
  std::string s(body);
  int edits = static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0:
        s.insert(pos, kBodyTokens[rng() % kBodyTokens.size()]);
        break;
      case 1:
        if (!s.empty()) s[rng() % s.size()] = static_cast<char>(rng());
        break;
      case 2:
        s.resize(pos);
        break;
      default:
        s.insert(pos, std::string(rng() % 5000,
                                  static_cast<char>(0x80 + rng() % 0x40)));  // Latin-1 and worse
        break;
    }
  }
  return s;
}

net::HttpClientResponse random_answer(Rng& rng, const ProviderAnswers& p) {
  net::HttpClientResponse r;
  r.status = kStatuses[rng() % kStatuses.size()];
  if (r.status == 0) r.status = 100 + static_cast<int>(rng() % 500);
  r.body = mutated(rng, p.bodies[rng() % p.bodies.size()]);
  for (std::string_view name : {"Retry-After", "X-RateLimit-Reset"}) {
    if (rng() % 2) r.headers.emplace_back(name, kWaits[rng() % kWaits.size()]);
  }
  if (rng() % 3 == 0)
    r.headers.emplace_back("x-amzn-ErrorType",
                           mutated(rng, "MessageRejected:http://internal.amazon.com/"));
  if (rng() % 3 == 0)
    r.headers.emplace_back("X-Message-Id", mutated(rng, "moW00FY9Sqyr2r5ekgRDLg"));
  return r;
}

TEST(ProviderAnswerRobustness, AnyAnswerGivesABoundedWaitAndPrintableText) {
  Rng rng(20261203);
  const SystemTime now = SystemTime{} + std::chrono::hours(24 * 365 * 56);  // 2026
  for (const auto& p : providers()) {
    for (int i = 0; i < kIterations; ++i) {
      auto answer = random_answer(rng, p);
      SCOPED_TRACE(std::string(p.name) + " " + std::to_string(answer.status) + " " +
                   answer.body.substr(0, 200));
      SendResult r = p.send(answer, now);
      if (r.retry_after) {
        EXPECT_GE(r.retry_after->count(), 0);
        EXPECT_LE(*r.retry_after, common::kMaxProviderWait);
      }
      EXPECT_TRUE(is_valid_utf8(r.detail)) << r.detail;
      EXPECT_TRUE(is_valid_utf8(r.code)) << r.code;
      EXPECT_LE(r.detail.size(), kMaxText);
      EXPECT_LE(r.code.size(), kMaxText);
      EXPECT_TRUE(is_valid_utf8(r.provider_message_id));
      if (answer.status >= 500) {
        EXPECT_NE(r.failure_class, FailureClass::permanent);
        EXPECT_NE(r.failure_class, FailureClass::ok);
      }

      ProbeResult probe = p.probe(answer);
      EXPECT_TRUE(is_valid_utf8(probe.detail)) << probe.detail;
      EXPECT_LE(probe.detail.size(), kMaxText);
      if (answer.status >= 400) {
        EXPECT_FALSE(probe.healthy);
      }
      if (testing::Test::HasFailure()) return;  // one answer's story is enough to read
    }
  }
}

TEST(ProviderAnswerRobustness, WaitsAreCappedNotWrapped) {
  const SystemTime now = SystemTime{} + std::chrono::hours(24 * 365 * 56);
  EXPECT_EQ(common::parse_retry_after("99999999999999999", now), common::kMaxProviderWait);
  EXPECT_EQ(common::parse_retry_after("Fri, 31 Dec 2200 23:59:59 GMT", now),
            common::kMaxProviderWait);
  EXPECT_EQ(common::wait_until_unix_seconds("99999999999", now), common::kMaxProviderWait);
  EXPECT_EQ(common::wait_from_try_again_after("try again after 31 Dec 2200 00:00:00 UTC", now),
            common::kMaxProviderWait);
  // A date past what the clock can hold (2262) is no date: no hint at all.
  EXPECT_EQ(common::parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), std::nullopt);
  EXPECT_EQ(common::parse_retry_after("-5", now), std::nullopt);
  // Within the cap, waits are what was asked.
  EXPECT_EQ(common::parse_retry_after("120", now), std::chrono::milliseconds(120s));
  // A date already past is no wait at all, however far back.
  EXPECT_EQ(common::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 0ms);
  EXPECT_EQ(common::parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now), 0ms);
  // GMime reads no year before 1969 (mime/date.h): no hint at all.
  EXPECT_EQ(common::parse_retry_after("Sat, 01 Jan 1680 00:00:00 GMT", now), std::nullopt);
}

}  // namespace
}  // namespace postern::providers
