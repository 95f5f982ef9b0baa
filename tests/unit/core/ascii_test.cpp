#include "core/ascii.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Ascii, FoldsAsciiLettersOnly) {
  EXPECT_TRUE(ascii_iequals("Content-Type", "content-type"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_FALSE(ascii_iequals("Bcc", "Bc"));
  EXPECT_FALSE(
      ascii_iequals("[", "{"));  // 0x5B and 0x7B differ by the case bit, but are not letters
  EXPECT_EQ(ascii_lowered("MIXED Case-123 @Example.ORG"), "mixed case-123 @example.org");
  // UTF-8 bytes stay as they are (Ä is C3 84; a locale's tolower could touch them).
  EXPECT_EQ(ascii_lowered("\xC3\x84X"), "\xC3\x84x");
  EXPECT_FALSE(ascii_iequals("\xC3\xA4", "\xC3\x84"));
}

TEST(Ascii, IstartsWithIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(ascii_istarts_with("Content-Type", "content-"));
  EXPECT_FALSE(ascii_istarts_with("Con", "content-"));
}

}  // namespace
}  // namespace postern
