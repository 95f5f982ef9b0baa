// The multi-line writer of RETR and TOP (src/pop3/multiline.h).
#include "pop3/multiline.h"

#include <gtest/gtest.h>

namespace postern::pop3 {
namespace {

std::string written(std::string_view content, std::optional<std::uint64_t> lines = std::nullopt) {
  std::string out = "+OK\r\n";
  append_message(out, content, lines);
  return out;
}

TEST(Pop3MultilineTest, CrlfKeptAndBareLineEndsNormalised) {
  EXPECT_EQ(written("A: b\r\n\r\nx\r\n"), "+OK\r\nA: b\r\n\r\nx\r\n.\r\n");
  EXPECT_EQ(written("A: b\n\nx\ny\n"), "+OK\r\nA: b\r\n\r\nx\r\ny\r\n.\r\n");
  EXPECT_EQ(written("A: b\r\rx\r"), "+OK\r\nA: b\r\n\r\nx\r\n.\r\n");
  EXPECT_EQ(written("no line end"), "+OK\r\nno line end\r\n.\r\n");
  EXPECT_EQ(written(""), "+OK\r\n.\r\n");
}

TEST(Pop3MultilineTest, LinesStartingWithADotAreStuffed) {
  EXPECT_EQ(written(".\r\n..\r\n.x\r\nx.\r\n"), "+OK\r\n..\r\n...\r\n..x\r\nx.\r\n.\r\n");
  // The terminator cannot appear early, whatever the message holds.
  EXPECT_EQ(written("A: b\n\n.\n"), "+OK\r\nA: b\r\n\r\n..\r\n.\r\n");
}

TEST(Pop3MultilineTest, TopCountsBodyLinesAfterTheBlankLine) {
  std::string m = "A: 1\r\nB: 2\r\n\r\none\r\n\r\nthree\r\n";
  EXPECT_EQ(written(m, 0), "+OK\r\nA: 1\r\nB: 2\r\n\r\n.\r\n");
  EXPECT_EQ(written(m, 2), "+OK\r\nA: 1\r\nB: 2\r\n\r\none\r\n\r\n.\r\n");
  EXPECT_EQ(written(m, 3), written(m));
  EXPECT_EQ(written(m, 1000), written(m));
  // No body at all: the header is all there is.
  EXPECT_EQ(written("A: 1\r\nB: 2\r\n", 0), "+OK\r\nA: 1\r\nB: 2\r\n.\r\n");
}

}  // namespace
}  // namespace postern::pop3
