// The server's request reader: the header limit holds however the bytes of
// a request arrive (tests/fuzz/http_request_fuzz.cpp found that a header a
// little over it passed when it came in one read).
#include "net/detail/request_reader.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace postern::net::detail
