#include "core/time_format.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(TimeFormat, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339(from_unix_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(from_unix_ms(1'700'000'000'123)), "2023-11-14T22:13:20.123Z");
}

TEST(TimeFormat, ParsesRfc3339AndUnixSeconds) {
  EXPECT_EQ(parse_time("2023-11-14T22:13:20.123Z"), from_unix_ms(1'700'000'000'123));
  EXPECT_EQ(parse_time("2023-11-14T23:13:20+01:00"), from_unix_ms(1'700'000'000'000));
  EXPECT_EQ(parse_time("1700000000"), from_unix_ms(1'700'000'000'000));
  EXPECT_EQ(parse_time("2024-02-29T00:00:00Z"), from_unix_ms(1'709'164'800'000));
  for (const char* bad :
       {"", "yesterday", "2023-13-01T00:00:00Z", "2023-11-14 22:13", "2023-11-14T22:13:20",
        "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "2023-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z", "2023-11-14T24:00:00Z"}) {
    EXPECT_FALSE(parse_time(bad)) << bad;
  }
}

TEST(TimeFormat, ParsesTimesBeforeTheEpochAndSaturatesPast2262) {
  EXPECT_EQ(parse_time("1969-12-31T23:59:59.5Z"), from_unix_ms(-500));
  EXPECT_EQ(parse_time("2999-01-01T00:00:00Z"), SystemTime::max());
}

TEST(TimeFormat, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(format_rfc3339(from_unix_ms(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(TimeFormat, UnixSecondsOnlyWhereSystemTimeReaches) {
  EXPECT_EQ(from_unix_seconds(1'700'000'000), from_unix_ms(1'700'000'000'000));
  EXPECT_EQ(from_unix_seconds(-1), from_unix_ms(-1000));
  EXPECT_FALSE(from_unix_seconds(10'413'792'000));  // 2300
  EXPECT_FALSE(from_unix_seconds(-10'413'792'000));
}

TEST(TimeFormat, RoundTrips) {
  auto t = from_unix_ms(1'234'567'890'987);
  EXPECT_EQ(parse_time(format_rfc3339(t)), t);
}

}  // namespace
TEST(TimeFormat, UtcThroughAStrftimeFormat) {
  auto t = from_unix_ms(1'700'000'000'123);  // 2023-11-14T22:13:20.123Z
  EXPECT_EQ(format_utc(t, "%Y%m%dT%H%M%SZ"), "20231114T221320Z");
  EXPECT_EQ(format_utc(t, "%a, %d %b %Y %H:%M:%S UTC"), "Tue, 14 Nov 2023 22:13:20 UTC");
  EXPECT_EQ(format_utc(from_unix_ms(-1), "%Y-%m-%d %H:%M:%S"), "1969-12-31 23:59:59");
}

}  // namespace postern
