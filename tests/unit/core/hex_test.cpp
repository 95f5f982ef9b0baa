#include "core/hex.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Hex, EncodesEveryByteInEitherCase) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex(std::string_view("\x00\x0a\x7f\xab\xff", 5)), "000a7fabff");
  EXPECT_EQ(to_hex("\xab\xcd", HexCase::upper), "ABCD");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  auto hex = to_hex(all);
  ASSERT_EQ(hex.size(), 512u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]), static_cast<int>(i));
  }
}

TEST(Hex, SixteenDigitsOfANumber) {
  EXPECT_EQ(to_hex16(0), "0000000000000000");
  EXPECT_EQ(to_hex16(0x0123456789abcdefULL), "0123456789abcdef");
  EXPECT_EQ(to_hex16(~0ULL), "ffffffffffffffff");
}

TEST(Hex, DigitsOfEitherCase) {
  EXPECT_EQ(hex_value('0'), 0);
  EXPECT_EQ(hex_value('a'), 10);
  EXPECT_EQ(hex_value('F'), 15);
  EXPECT_EQ(hex_value('g'), -1);
  EXPECT_EQ(hex_value('%'), -1);
}

}  // namespace
}  // namespace postern
