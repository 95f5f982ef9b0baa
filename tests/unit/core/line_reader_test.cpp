// Command line framing for the protocol servers (src/core/line_reader.h):
// SMTP's CRLF only, POP3's CRLF or LF.
#include "core/line_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace postern {
namespace {

TEST(LineReaderTest, SplitsOnCrlfOnly) {
  LineReader reader;
  std::string_view input = "EHLO a\r\nNOOP\r\nQU";
  auto e = reader.next(input, 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::line);
  EXPECT_EQ(e.text, "EHLO a");
  input.remove_prefix(e.consumed);
  e = reader.next(input, 512);
  EXPECT_EQ(e.text, "NOOP");
  input.remove_prefix(e.consumed);
  e = reader.next(input, 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::need_more);
  EXPECT_EQ(e.consumed, 0u);
}

TEST(LineReaderTest, BareNewlinesAreReported) {
  LineReader reader;
  auto e = reader.next("NOOP\nQUIT\r\n", 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::bare_newline);
  EXPECT_EQ(e.consumed, 5u);
  e = reader.next("NO\rOP\r\n", 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::bare_newline);
  EXPECT_EQ(e.consumed, 7u);
  e = reader.next("\n", 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::bare_newline);
}

TEST(LineReaderTest, LongLinesAreDroppedAsTheyArriveAndReportedOnce) {
  LineReader reader;
  // Exactly at the limit (CRLF included) is fine.
  std::string fits(510, 'a');
  EXPECT_EQ(reader.next(fits + "\r\n", 512).kind, LineEvent::Kind::line);
  // Over the limit in one piece.
  std::string over(511, 'a');
  auto e = reader.next(over + "\r\nNOOP\r\n", 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::too_long);
  EXPECT_EQ(e.consumed, 513u);
  // Over the limit across many reads: nothing is buffered beyond the limit.
  std::string chunk(600, 'x');
  e = reader.next(chunk, 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::need_more);
  EXPECT_EQ(e.consumed, 600u);
  e = reader.next(chunk, 512);
  EXPECT_EQ(e.consumed, 600u);
  e = reader.next("yyy\r\nNOOP\r\n", 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::too_long);
  EXPECT_EQ(e.consumed, 5u);
  e = reader.next("NOOP\r\n", 512);
  EXPECT_EQ(e.kind, LineEvent::Kind::line);
}

TEST(LineReaderTest, CrlfOrLfTakesABareLfToo) {
  LineReader r(LineEnds::crlf_or_lf);
  auto e = r.next("STAT\r\nLIST\nNO", 255);
  ASSERT_EQ(e.kind, LineEvent::Kind::line);
  EXPECT_EQ(e.text, "STAT");
  EXPECT_EQ(e.consumed, 6u);
  e = r.next("LIST\nNO", 255);
  ASSERT_EQ(e.kind, LineEvent::Kind::line);
  EXPECT_EQ(e.text, "LIST");
  e = r.next("NO", 255);
  EXPECT_EQ(e.kind, LineEvent::Kind::need_more);
  EXPECT_EQ(e.consumed, 0u);
}

TEST(LineReaderTest, CrlfOrLfDropsLongLinesToo) {
  LineReader r(LineEnds::crlf_or_lf);
  EXPECT_EQ(r.next(std::string(8, 'a') + "\r\n", 10).kind, LineEvent::Kind::line);
  EXPECT_EQ(r.next(std::string(9, 'a') + "\r\n", 10).kind, LineEvent::Kind::too_long);
  // Dropped as it comes, reported once at its end.
  auto e = r.next(std::string(10, 'a'), 10);
  EXPECT_EQ(e.kind, LineEvent::Kind::need_more);
  EXPECT_EQ(e.consumed, 10u);
  e = r.next("aaaa", 10);
  EXPECT_EQ(e.consumed, 4u);
  e = r.next("a\r\nok\r\n", 10);
  EXPECT_EQ(e.kind, LineEvent::Kind::too_long);
  EXPECT_EQ(e.consumed, 3u);
  e = r.next("ok\r\n", 10);
  EXPECT_EQ(e.kind, LineEvent::Kind::line);
  EXPECT_EQ(e.text, "ok");
}

}  // namespace
}  // namespace postern
