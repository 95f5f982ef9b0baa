#include "core/config_values.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(ConfigValues, ParsesDurationsAndSizes) {
  EXPECT_EQ(parse_duration("250ms").value(), std::chrono::milliseconds(250));
  EXPECT_EQ(parse_duration("3").value(), std::chrono::seconds(3));
  EXPECT_EQ(parse_duration("1d").value(), std::chrono::hours(24));
  EXPECT_FALSE(parse_duration("-1s"));
  // Found by tests/fuzz/config_fuzz: the product overflowed (undefined).
  EXPECT_FALSE(parse_duration("666666166666666666"));
  EXPECT_FALSE(parse_duration("106751991168d"));
  EXPECT_EQ(parse_duration("9223372036854775807ms").value().count(), 9223372036854775807);
  EXPECT_EQ(parse_size("64KiB").value(), 65536u);
  EXPECT_EQ(parse_size("2MB").value(), 2'000'000u);
  EXPECT_FALSE(parse_size("big"));
  EXPECT_EQ(parse_size("1024").value(), 1024u);
  EXPECT_FALSE(parse_size("5TB"));
  // Sizes that would wrap around are refused, not taken for tiny ones.
  EXPECT_FALSE(parse_size("17179869184GiB"));
  EXPECT_FALSE(parse_size("18446744073709551615KB"));
  EXPECT_EQ(parse_size("18446744073709551615").value(), 18446744073709551615u);
}

TEST(ConfigValues, SecretsComeFromTheEnvironment) {
  EXPECT_EQ(resolve_secret("env:KEY", {{"KEY", "s3cret"}}).value(), "s3cret");
  EXPECT_EQ(resolve_secret("plain", {}).value(), "plain");
  auto missing = resolve_secret("env:MISSING", {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("MISSING"), std::string::npos);
  EXPECT_FALSE(resolve_secret("file:/nonexistent/secret", {}));
}

}  // namespace
}  // namespace postern
