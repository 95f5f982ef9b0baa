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

}  // namespace
}  // namespace postern
