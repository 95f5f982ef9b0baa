#include "core/dot_stuff.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(DotStuff, DoublesLeadingDotsAndTerminates) {
  EXPECT_EQ(dot_stuff("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".\r\n"), "..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("x.y\r\n"), "x.y\r\n.\r\n");
}

TEST(DotStuff, NormalisesLineEndsAndAddsAFinalCrlf) {
  EXPECT_EQ(dot_stuff("a\n.b\rc"), "a\r\n..b\r\nc\r\n.\r\n");
  EXPECT_EQ(dot_stuff("no final break"), "no final break\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
  EXPECT_EQ(dot_stuff("a\r\n\r\n.\r\n"), "a\r\n\r\n..\r\n.\r\n");
}

TEST(DotStuff, LeavesEightBitBytesAlone) {
  EXPECT_EQ(dot_stuff("Gr\xC3\xBC\xC3\x9F"
                      "e\r\n"),
            "Gr\xC3\xBC\xC3\x9F"
            "e\r\n.\r\n");
}

// Parts split anywhere, a CRLF or a leading dot included, stuff as the
// whole does: the SMTP provider sends big messages a part at a time.
TEST(DotStuffer, PartsSplitAnywhereStuffAsTheWhole) {
  const std::string message = "a\r\n.b\r\n..c\rd\ne\r\n\r\n.\r\nend";
  for (std::size_t size = 1; size <= message.size(); ++size) {
    std::string out;
    DotStuffer stuffer;
    for (std::size_t at = 0; at < message.size(); at += size)
      stuffer.add(std::string_view(message).substr(at, size), out);
    stuffer.finish(out);
    EXPECT_EQ(out, dot_stuff(message)) << "parts of " << size;
  }
}

TEST(DotStuffer, AMessageEndingInCrlfGetsOnlyTheTerminator) {
  std::string out;
  DotStuffer stuffer;
  stuffer.add("x\r", out);
  stuffer.add("\n", out);
  stuffer.finish(out);
  EXPECT_EQ(out, "x\r\n.\r\n");
}

}  // namespace
}  // namespace postern
