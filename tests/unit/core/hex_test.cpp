#include "core/hex.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Hex, DigitsOfEitherCase) {
  EXPECT_EQ(hex_value('0'), 0);
  EXPECT_EQ(hex_value('a'), 10);
  EXPECT_EQ(hex_value('F'), 15);
  EXPECT_EQ(hex_value('g'), -1);
  EXPECT_EQ(hex_value('%'), -1);
}

TEST(Hex, PercentDecodingKeepsWhatIsNotAnEscape) {
  EXPECT_EQ(percent_decode("a%20b%2fc"), "a b/c");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("%zz%41"), "%zzA");
}

}  // namespace
}  // namespace postern
