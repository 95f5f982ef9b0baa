// DATA reader and body scanner: dot-unstuffing, the one end-of-data marker,
// and the SMTP smuggling payloads under every split of the input.
#include "smtp/parser/data_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtp/parser/body_scanner.h"

namespace postern::smtp {
namespace {

struct Outcome {
  bool done = false;
  std::size_t consumed = 0;  // of the whole input, when done
  BodyVerdict verdict = BodyVerdict::ok;
  std::string content;
  bool operator==(const Outcome&) const = default;
};

// Feeds `input` in pieces cut at `cuts` (sorted offsets).
Outcome read_split(std::string_view input, const std::vector<std::size_t>& cuts,
                   std::size_t max = 1 << 20) {
  DataReader reader;
  BodyScanner body(max);
  Outcome out;
  std::size_t start = 0;
  auto pieces = cuts;
  pieces.push_back(input.size());
  for (auto end : pieces) {
    auto p = reader.feed(input.substr(start, end - start), body);
    if (p.done) {
      out.done = true;
      out.consumed = start + p.consumed;
      break;
    }
    EXPECT_EQ(p.consumed, end - start);
    start = end;
  }
  out.verdict = body.verdict();
  out.content = body.take_content();
  return out;
}

Outcome read_whole(std::string_view input, std::size_t max = 1 << 20) {
  return read_split(input, {}, max);
}

// Every way to cut the input in two and in three pieces gives the same result
// as reading it whole.
void expect_split_invariant(std::string_view input) {
  auto whole = read_whole(input);
  for (std::size_t i = 0; i <= input.size(); ++i) {
    ASSERT_EQ(read_split(input, {i}), whole) << "cut at " << i;
    for (std::size_t j = i; j <= input.size(); ++j) {
      ASSERT_EQ(read_split(input, {i, j}), whole) << "cuts at " << i << ", " << j;
    }
  }
  // And byte by byte.
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < input.size(); ++i) every.push_back(i);
  ASSERT_EQ(read_split(input, every), whole);
}

TEST(DataReaderTest, EndsAtCrlfDotCrlfAndKeepsTheLastCrlf) {
  auto o = read_whole("Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_EQ(o.consumed, std::string("Subject: hi\r\n\r\nbody\r\n.\r\n").size());
  EXPECT_EQ(o.verdict, BodyVerdict::ok);
}

TEST(DataReaderTest, EmptyMessage) {
  // The CRLF of the DATA command is the first CRLF of <CRLF>.<CRLF>.
  auto o = read_whole(".\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, "");
  EXPECT_EQ(o.verdict, BodyVerdict::ok);
}

TEST(DataReaderTest, UnstuffsLeadingDots) {
  // RFC 5321 §4.5.2: the first of a line's leading dots is removed.
  auto o = read_whole("..\r\n...x\r\n.y\r\na.b\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, ".\r\n..x\r\ny\r\na.b\r\n");
  EXPECT_EQ(o.verdict, BodyVerdict::ok);
  expect_split_invariant("..\r\n...x\r\n.y\r\na.b\r\n.\r\n");
}

TEST(DataReaderTest, NotDoneWithoutTheMarker) {
  auto o = read_whole("line one\r\nline two\r\n");
  EXPECT_FALSE(o.done);
  o = read_whole("line\r\n.");
  EXPECT_FALSE(o.done);
  o = read_whole("line\r\n.\r");
  EXPECT_FALSE(o.done);
}

TEST(DataReaderTest, EightBitAndNulArePassedThrough) {
  std::string input = "caf\xc3\xa9 \xff\r\n";
  input.push_back('\0');
  input += "x\r\n.\r\n";
  auto o = read_whole(input);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.content, input.substr(0, input.size() - 3));
}

TEST(DataReaderTest, SizeLimitKeepsReadingToTheEnd) {
  auto o = read_whole("0123456789\r\n0123456789\r\n.\r\nNOOP\r\n", 20);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.verdict, BodyVerdict::too_big);
  EXPECT_EQ(o.content.size(), 20u);  // never more than the limit in memory
  EXPECT_EQ(read_whole("0123456789\r\n.\r\n", 12).verdict, BodyVerdict::ok);
  EXPECT_EQ(read_whole("0123456789\r\n.\r\n", 11).verdict, BodyVerdict::too_big);
}

TEST(DataReaderTest, LineLengthLimit) {
  std::string ok_line(998, 'a');
  EXPECT_EQ(read_whole(ok_line + "\r\n.\r\n").verdict, BodyVerdict::ok);
  // The stuffed dot does not count (RFC 5321 §4.5.3.1.6).
  EXPECT_EQ(read_whole("." + std::string(998, '.') + "\r\n.\r\n").verdict, BodyVerdict::ok);
  EXPECT_EQ(read_whole(ok_line + "b\r\n.\r\n").verdict, BodyVerdict::line_too_long);
}

// The payloads of "SMTP smuggling" (SEC Consult, 2023) and variants: an end
// of data that some other server might accept, followed by a second message.
// Here none of them ends the data; the whole stream is one message, refused
// for its bare newlines, and only the real <CRLF>.<CRLF> ends it.
const std::vector<std::string> kFakeEnds = {
    "\n.\n", "\n.\r\n",     "\r.\r",     "\r.\r\n",       "\r\n.\n",    "\r\n.\r",
    "\n.\r", "\r\n.\r\r\n", "\n\n.\n\n", "\r\r\n.\r\r\n", "\r\n\n.\r\n"};

TEST(DataReaderTest, SmugglingPayloadsNeverEndTheMessage) {
  for (const auto& fake : kFakeEnds) {
    std::string smuggled =
        "MAIL FROM:<admin@bank.example>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\n"
        "From: admin@bank.example\r\n\r\nsend money\r\n";
    std::string input = "From: a@x.example\r\n\r\nhello" + fake + smuggled + ".\r\nQUIT\r\n";
    SCOPED_TRACE(testing::PrintToString(fake));
    auto o = read_whole(input);
    ASSERT_TRUE(o.done);
    // The real end is the last <CRLF>.<CRLF>: everything before it, the
    // smuggled commands included, is one refused message.
    EXPECT_EQ(o.consumed, input.size() - std::string("QUIT\r\n").size());
    EXPECT_EQ(o.verdict, BodyVerdict::bare_newline);
    EXPECT_NE(o.content.find("RCPT TO:<victim@example.com>"), std::string::npos);
    expect_split_invariant(input);
  }
}

TEST(DataReaderTest, BareNewlinesAnywhereAreRefused) {
  EXPECT_EQ(read_whole("a\nb\r\n.\r\n").verdict, BodyVerdict::bare_newline);
  EXPECT_EQ(read_whole("a\rb\r\n.\r\n").verdict, BodyVerdict::bare_newline);
  EXPECT_EQ(read_whole("\n.\r\n").verdict,
            BodyVerdict::bare_newline);  // a bare LF right after DATA
  EXPECT_EQ(read_whole("abc\r.\r\n").verdict, BodyVerdict::bare_newline);
  // A dot and a bare LF at the start of a line is not an end, and the line
  // after a bare LF does not start a line: only the last ".\r\n" ends these.
  auto o = read_whole(".\n.\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.consumed, 8u);
  EXPECT_EQ(o.verdict, BodyVerdict::bare_newline);
  o = read_whole(".\r.\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.consumed, 8u);
  EXPECT_EQ(o.verdict, BodyVerdict::bare_newline);
}

TEST(BodyScannerTest, CrlfAcrossChunksIsFine) {
  BodyScanner body(100);
  body.feed("abc\r");
  EXPECT_FALSE(body.at_line_start());
  body.feed("\ndef\r\n");
  EXPECT_TRUE(body.at_line_start());
  EXPECT_EQ(body.verdict(), BodyVerdict::ok);
  EXPECT_EQ(body.size(), 10u);
  EXPECT_EQ(body.take_content(), "abc\r\ndef\r\n");
}

TEST(BodyScannerTest, TrailingCrIsBare) {
  BodyScanner body(100);
  body.feed("abc\r");
  EXPECT_EQ(body.verdict(), BodyVerdict::bare_newline);
}

}  // namespace
}  // namespace postern::smtp
