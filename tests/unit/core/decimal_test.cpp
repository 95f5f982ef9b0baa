#include "core/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace postern {
namespace {

TEST(Decimal, ReadsDigitsAndNothingElse) {
  EXPECT_EQ(parse_decimal<int>("0"), 0);
  EXPECT_EQ(parse_decimal<std::uint64_t>("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_decimal<std::size_t>("007"), 7u);
  for (const char* bad : {"", "-1", "-0", "+1", " 1", "1 ", "1x", "x", "1.5", "0x10"}) {
    EXPECT_FALSE(parse_decimal<int>(bad).has_value()) << bad;
    EXPECT_FALSE(parse_decimal<unsigned>(bad).has_value()) << bad;
  }
}

TEST(Decimal, TooLargeIsRefusedOrTheLargestValue) {
  EXPECT_FALSE(parse_decimal<std::uint16_t>("65536").has_value());
  EXPECT_EQ(parse_decimal<std::uint16_t>("65535"), 65535);
  EXPECT_FALSE(parse_decimal<long long>("99999999999999999999").has_value());
  EXPECT_EQ(parse_decimal<long long>("99999999999999999999", OnOverflow::saturate), INT64_MAX);
  EXPECT_EQ(parse_decimal<std::uint64_t>("123456789012345678901234", OnOverflow::saturate),
            UINT64_MAX);
  // Saturation is for numbers only: junk stays junk.
  EXPECT_FALSE(
      parse_decimal<std::uint64_t>("99999999999999999999x", OnOverflow::saturate).has_value());
}

}  // namespace
}  // namespace postern
