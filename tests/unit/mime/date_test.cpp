// RFC 5322 dates through GMime (mime/date.h): the Date field written, and
// the dates of mail and HTTP read back.
#include "mime/date.h"

#include <gtest/gtest.h>

namespace postern::mime {
namespace {

using namespace std::chrono;

TEST(FormatDate, IsRfc5322DateTimeInUtc) {
  EXPECT_EQ(format_date(SystemTime{}), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_date(sys_days{year{2000} / January / 1} + hours{12}),
            "Sat, 01 Jan 2000 12:00:00 +0000");
  EXPECT_EQ(
      format_date(sys_days{year{2038} / December / 31} + hours{23} + minutes{59} + seconds{59}),
      "Fri, 31 Dec 2038 23:59:59 +0000");
  EXPECT_EQ(format_date(sys_days{year{2025} / July / 1} + hours{9} + minutes{5} + 999ms),
            "Tue, 01 Jul 2025 09:05:00 +0000");
  EXPECT_EQ(format_date(SystemTime{} - 1ms), "Wed, 31 Dec 1969 23:59:59 +0000");
}

TEST(ParseDate, ReadsMailAndHttpForms) {
  constexpr std::int64_t kMailgunExample = 1640032401;  // 2021-12-20 20:33:21 UTC
  constexpr std::int64_t kHttpExample = 784111777;      // 1994-11-06 08:49:37 UTC
  const std::pair<const char*, std::int64_t> cases[] = {
      {"Mon, 20 Dec 2021 20:33:21 UTC", kMailgunExample},
      {"20 Dec 2021 20:33:21 GMT", kMailgunExample},
      {"Mon, 20 Dec 2021 21:33:21 +0100", kMailgunExample},
      {"Mon, 20 Dec 2021 15:03:21 -0530", kMailgunExample},
      {"Mon, 20 Dec 2021 12:33:21 PST", kMailgunExample},  // RFC 5322 §4.3: -0800
      {"Mon, 20 Dec 2021 20:33 UT", kMailgunExample - 21},
      // The three forms of an HTTP-date (RFC 9110 §5.6.7).
      {"Sun, 06 Nov 1994 08:49:37 GMT", kHttpExample},
      {"Sunday, 06-Nov-94 08:49:37 GMT", kHttpExample},
      {"Sun Nov  6 08:49:37 1994", kHttpExample},
  };
  for (auto [text, unix_seconds] : cases) {
    auto t = parse_date(text);
    ASSERT_TRUE(t) << text;
    EXPECT_EQ(to_unix_ms(*t), unix_seconds * 1000) << text;
  }
}

TEST(ParseDate, RoundTripsWhatItFormats) {
  auto t = sys_days{year{2026} / November / 23} + hours{17} + minutes{42} + seconds{38};
  EXPECT_EQ(parse_date(format_date(t)), SystemTime(t));
}

TEST(ParseDate, RefusesWhatIsNoDate) {
  for (const char* bad :
       {"", "yesterday", "120", "Mon, 20 Foo 2021 20:33:21 UTC", "Mon, 32 Dec 2021 20:33:21 UTC",
        "Mon, 20 Dec 2021 25:33:21 UTC", "Tue, 30 Feb 2021 10:00:00 +0000"}) {
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
}

TEST(ParseDate, RefusesADateSystemTimeCannotHoldOrGMimeDoesNotRead) {
  EXPECT_FALSE(parse_date("Thu, 01 Jan 2300 00:00:00 +0000"));
  EXPECT_TRUE(parse_date("Fri, 01 Jan 2262 00:00:00 +0000"));
  EXPECT_FALSE(parse_date("Mon, 01 Jan 1900 00:00:00 +0000"));
  EXPECT_EQ(parse_date("Wed, 31 Dec 1969 23:59:59 +0000"), SystemTime{} - 1s);
}

}  // namespace
}  // namespace postern::mime
