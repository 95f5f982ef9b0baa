#include "core/utf8.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

using namespace std::string_literals;

TEST(Utf8, RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80 \0 x"s));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xE6\x97"));          // cut short
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));           // Latin-1
}

TEST(Utf8, ReplacesEachBadByteAndKeepsTheRest) {
  EXPECT_EQ(valid_utf8("R\xC3\xA9union \xE6\x97\xA5"), "R\xC3\xA9union \xE6\x97\xA5");
  EXPECT_EQ(valid_utf8("caf\xE9!"), "caf\xEF\xBF\xBD!");
  // A sequence cut short: its lead byte is replaced, what follows is kept.
  EXPECT_EQ(valid_utf8("\xE6\x97x"), "\xEF\xBF\xBD\xEF\xBF\xBDx");
  EXPECT_EQ(valid_utf8("a\0b"s), "a\0b"s);
  EXPECT_TRUE(is_valid_utf8(valid_utf8("\xFF\xC0\xAF\xED\xA0\x80\xF4\x90\x80\x80")));
}

TEST(Utf8, ClipsOnACharacterBoundary) {
  EXPECT_EQ(clip_utf8("short reason\r\n  "), "short reason");
  EXPECT_EQ(clip_utf8(std::string(400, 'x')), std::string(300, 'x') + "...");
  // Three-byte characters: a cut at 10 bytes keeps three of them.
  std::string japanese;
  for (int i = 0; i < 5; ++i) japanese += "\xE6\x97\xA5";
  EXPECT_EQ(clip_utf8(japanese, 10), "\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5...");
  // Bad bytes are replaced before the cut, so the result stays bounded.
  auto clipped = clip_utf8(std::string(1000, '\xE9'), 100);
  EXPECT_TRUE(is_valid_utf8(clipped));
  EXPECT_LE(clipped.size(), 103u);
}

}  // namespace
}  // namespace postern
