// The server's request reader: the header limit holds however the bytes of
// a request arrive (tests/fuzz/http_request_fuzz.cpp found that a header a
// little over it passed when it came in one read).
#include "net/detail/request_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>

namespace postern::net::detail {
namespace {

constexpr RequestLimits kLimits{.max_header_bytes = 1024, .max_body_bytes = 4096};

// A request whose header is `header_bytes` long, with a 4-byte body.
std::string request_with_header_of(std::size_t header_bytes) {
  std::string head = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nX-Pad: ";
  std::string tail = "\r\n\r\n";
  head.append(header_bytes - head.size() - tail.size(), 'a');
  return head + tail + "body";
}

// Feeds `input` `piece` bytes at a time, as the server does: the bytes not
// used are offered again with the next ones behind them.
void read(RequestReader& reader, std::string_view input, std::size_t piece) {
  std::string buffer;
  std::size_t received = 0;
  while (!reader.done() && !reader.refusal()) {
    auto used = reader.feed(buffer);
    buffer.erase(0, used);
    if (reader.done() || reader.refusal()) break;
    if (used > 0 && !buffer.empty()) continue;
    if (received == input.size()) break;
    auto next = input.substr(received, piece);
    buffer += next;
    received += next.size();
  }
}

TEST(RequestReader, AHeaderAtTheLimitIsReadAtOnceAndInPieces) {
  auto input = request_with_header_of(kLimits.max_header_bytes);
  for (std::size_t piece : {input.size(), std::size_t{1}, std::size_t{17}, std::size_t{512}}) {
    RequestReader reader(kLimits);
    read(reader, input, piece);
    ASSERT_TRUE(reader.done()) << "piece " << piece;
    EXPECT_EQ(reader.take("192.0.2.1", false).body, "body") << "piece " << piece;
  }
}

TEST(RequestReader, AHeaderOverTheLimitIsRefusedAtOnceAndInPieces) {
  auto input = request_with_header_of(kLimits.max_header_bytes + 5);
  for (std::size_t piece : {input.size(), std::size_t{1}, std::size_t{17}, std::size_t{512}}) {
    RequestReader reader(kLimits);
    read(reader, input, piece);
    ASSERT_TRUE(reader.refusal()) << "piece " << piece;
    EXPECT_EQ(reader.refusal()->status, 431) << "piece " << piece;
    EXPECT_TRUE(reader.refusal()->close);
  }
}

constexpr RequestLimits kFieldLimits{
    .max_header_bytes = 4096, .max_body_bytes = 4096, .max_field_bytes = 512, .max_fields = 10};

// A request with `fields` header fields (Host and Content-Length among
// them), the last one's line `last_line` bytes long ("X-Last: aaa...").
std::string request_with_fields(std::size_t fields, std::size_t last_line) {
  std::string out = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n";
  for (std::size_t i = 2; i + 1 < fields; ++i) out += "X-F" + std::to_string(i) + ": v\r\n";
  std::string last = "X-Last: ";
  last.append(last_line - last.size(), 'a');
  return out + last + "\r\n\r\nbody";
}

void expect_refused(std::string_view input, std::string_view code) {
  for (std::size_t piece : {input.size(), std::size_t{1}, std::size_t{100}}) {
    RequestReader reader(kFieldLimits);
    read(reader, input, piece);
    ASSERT_TRUE(reader.refusal()) << "piece " << piece;
    EXPECT_EQ(reader.refusal()->status, 431);
    EXPECT_TRUE(reader.refusal()->close);
    EXPECT_NE(reader.refusal()->body.find(code), std::string::npos) << reader.refusal()->body;
  }
}

void expect_read(std::string_view input) {
  for (std::size_t piece : {input.size(), std::size_t{1}, std::size_t{100}}) {
    RequestReader reader(kFieldLimits);
    read(reader, input, piece);
    ASSERT_TRUE(reader.done()) << "piece " << piece;
    EXPECT_EQ(reader.take("192.0.2.1", false).body, "body");
  }
}

TEST(RequestReader, AFieldLineOverItsLimitIsRefusedNamingTheFieldAndTheLimit) {
  expect_read(request_with_fields(3, kFieldLimits.max_field_bytes));
  auto over = request_with_fields(3, kFieldLimits.max_field_bytes + 1);
  expect_refused(over, R"("code":"header_field_too_large")");
  RequestReader reader(kFieldLimits);
  read(reader, over, over.size());
  EXPECT_NE(reader.refusal()->body.find(R"("field":"X-Last")"), std::string::npos);
  EXPECT_NE(reader.refusal()->body.find("longer than 512 bytes (http.max_header_field_bytes)"),
            std::string::npos);
}

TEST(RequestReader, MoreFieldsThanTheLimitAreRefused) {
  expect_read(request_with_fields(kFieldLimits.max_fields, 20));
  expect_refused(request_with_fields(kFieldLimits.max_fields + 1, 20),
                 R"("code":"too_many_header_fields")");
  expect_refused(request_with_fields(kFieldLimits.max_fields + 1, 20),
                 "more than 10 header fields (http.max_header_fields)");
}

// Robustness (fixed seed): random headers around both limits, arriving in
// random pieces. The reader refuses exactly the ones that break a limit,
// with the code of the first field that does, and serves the others.
TEST(RequestReader, RandomHeadersAroundTheFieldLimitsGetTheRightAnswer) {
  std::mt19937 rng(20261207);
  auto limits = kFieldLimits;
  limits.max_header_bytes = 64 * 1024;  // only the field limits are reached
  for (int run = 0; run < 300; ++run) {
    const std::size_t fields = 2 + rng() % (limits.max_fields + 3);
    std::string input = "GET /v1/x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n";
    std::string expected;  // the code of the refusal, or "" to be served
    for (std::size_t i = 2; i < fields; ++i) {
      // A third of the lines one byte either side of the limit, or on it.
      const std::size_t line =
          rng() % 3 == 0 ? limits.max_field_bytes - 1 + rng() % 3 : 10 + rng() % 40;
      const std::string name = "X-" + std::to_string(i);
      input += name + ": " + std::string(line - name.size() - 2, 'v') + "\r\n";
      if (expected.empty() && i + 1 > limits.max_fields) expected = "too_many_header_fields";
      if (expected.empty() && line > limits.max_field_bytes) expected = "header_field_too_large";
    }
    input += "\r\nbody";
    RequestReader reader(limits);
    read(reader, input, 1 + rng() % 700);
    if (expected.empty()) {
      ASSERT_TRUE(reader.done()) << "run " << run;
    } else {
      ASSERT_TRUE(reader.refusal()) << "run " << run;
      EXPECT_EQ(reader.refusal()->status, 431);
      EXPECT_NE(reader.refusal()->body.find(expected), std::string::npos)
          << "run " << run << ": " << reader.refusal()->body;
    }
  }
}

// The budget for content in flight (limits.inflight_bytes): a body is
// charged while its reader lives, refused with 503 when it cannot fit.
class RequestReaderBudget : public ::testing::Test {
 protected:
  RequestLimits limits() {
    auto l = kLimits;
    l.budget = &budget;
    return l;
  }
  MetricsRegistry metrics;
  InflightBudget budget{100, metrics};
};

std::string post_with_body(std::size_t bytes) {
  return "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(bytes) +
         "\r\n\r\n" + std::string(bytes, 'b');
}

std::string chunked_post(std::size_t bytes) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx", bytes);
  return "POST /v1/messages HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
         std::string(size) + "\r\n" + std::string(bytes, 'c') + "\r\n0\r\n\r\n";
}

TEST_F(RequestReaderBudget, ABodyIsChargedWhileItsReaderLives) {
  {
    RequestReader reader(limits());
    read(reader, post_with_body(60), 7);
    ASSERT_TRUE(reader.done());
    EXPECT_EQ(budget.used(), 60u);
    auto request = reader.take("192.0.2.1", false);
    EXPECT_EQ(request.body.size(), 60u);
    EXPECT_EQ(budget.used(), 60u);  // until the request is answered
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(RequestReaderBudget, ADeclaredBodyThatCannotFitIsRefusedBeforeItIsRead) {
  ASSERT_TRUE(budget.try_charge(50));
  RequestReader reader(limits());
  auto input = post_with_body(60);
  auto head = input.substr(0, input.size() - 60);
  EXPECT_EQ(reader.feed(head), head.size());
  ASSERT_TRUE(reader.refusal());
  EXPECT_EQ(reader.refusal()->status, 503);
  EXPECT_TRUE(reader.refusal()->close);
  EXPECT_NE(reader.refusal()->body.find("inflight_budget_exhausted"), std::string::npos);
  ASSERT_EQ(reader.refusal()->headers.size(), 1u);
  EXPECT_EQ(reader.refusal()->headers[0].first, "Retry-After");
  EXPECT_EQ(budget.used(), 50u);
  EXPECT_NE(metrics.render().find("postern_inflight_refusals_total{protocol=\"http\"} 1"),
            std::string::npos);
}

TEST_F(RequestReaderBudget, AChunkedBodyIsChargedAsItComesAndRefusedPastTheBudget) {
  for (std::size_t piece : {std::size_t{1}, std::size_t{13}, std::size_t{4096}}) {
    {
      RequestReader reader(limits());
      read(reader, chunked_post(90), piece);
      ASSERT_TRUE(reader.done()) << "piece " << piece;
      EXPECT_EQ(budget.used(), 90u);
    }
    RequestReader reader(limits());
    read(reader, chunked_post(101), piece);
    ASSERT_TRUE(reader.refusal()) << "piece " << piece;
    EXPECT_EQ(reader.refusal()->status, 503);
    EXPECT_LE(budget.used(), 100u);
  }
}

// Random bodies, declared or chunked, against random budgets partly taken
// by others, fed in random pieces: the budget is never overdrawn, a body
// that fits is read whole, one that does not gets 503, and everything the
// reader took comes back when it goes.
TEST_F(RequestReaderBudget, RandomBodiesNeverOverdrawTheBudget) {
  std::mt19937 rng(20261207);
  for (int run = 0; run < 2000; ++run) {
    MetricsRegistry metrics;
    InflightBudget shared(1 + rng() % 4000, metrics);
    const std::uint64_t others = rng() % 2 ? rng() % shared.limit() : 0;
    ASSERT_TRUE(shared.try_charge(others));
    const std::size_t bytes = rng() % 4000;
    const bool chunked = rng() % 2;
    auto limits = kLimits;
    limits.budget = &shared;
    {
      RequestReader reader(limits);
      read(reader, chunked ? chunked_post(bytes) : post_with_body(bytes), 1 + rng() % 600);
      ASSERT_LE(shared.used(), std::max<std::uint64_t>(shared.limit(), others)) << "run " << run;
      if (bytes <= shared.limit() - others) {
        ASSERT_TRUE(reader.done()) << "run " << run;
        EXPECT_EQ(reader.take("192.0.2.1", false).body.size(), bytes);
      } else {
        ASSERT_TRUE(reader.refusal()) << "run " << run;
        EXPECT_EQ(reader.refusal()->status, 503);
      }
    }
    ASSERT_EQ(shared.used(), others) << "run " << run;
  }
}

TEST_F(RequestReaderBudget, ARequestWithoutABodyIsNeverRefused) {
  ASSERT_TRUE(budget.try_charge(100));
  RequestReader reader(limits());
  read(reader, "GET /v1/messages HTTP/1.1\r\nHost: x\r\n\r\n", 5);
  EXPECT_TRUE(reader.done());
}

}  // namespace
}  // namespace postern::net::detail
