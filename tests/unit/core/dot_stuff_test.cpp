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

}  // namespace
}  // namespace postern
