#include "providers/common/retry_hint.h"

#include <gtest/gtest.h>

#include "mime/date.h"

namespace postern::providers::common {
namespace {

using namespace std::chrono_literals;

TEST(RetryHint, ReadsRetryAfterSecondsOrDate) {
  auto now = *mime::parse_date("Wed, 21 Oct 2015 07:27:00 GMT");
  EXPECT_EQ(parse_retry_after("120", now), 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", now), 0s);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), 60s);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:26:00 GMT", now), 0s);  // in the past: now
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("soon", now));
  // HTTP-dates in the obsolete forms recipients must still read (RFC 9110 §5.6.7).
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), 120s);
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:30:00 2015", now), 180s);
}

TEST(RetryHint, ReadsResetTimesAndTryAgainAfter) {
  auto now = from_unix_ms(1'700'000'000'000);
  EXPECT_EQ(wait_until_unix_seconds("1700000045", now), 45s);
  EXPECT_FALSE(wait_until_unix_seconds("", now));
  EXPECT_FALSE(wait_until_unix_seconds("12abc", now));
  auto mailgun_now = *mime::parse_date("Mon, 20 Dec 2021 20:32:21 UTC");
  EXPECT_EQ(wait_from_try_again_after("Domain x is not allowed to send: bytes limit exceeded, try "
                                      "again after Mon, 20 Dec 2021 20:33:21 UTC",
                                      mailgun_now),
            60s);
  EXPECT_FALSE(wait_from_try_again_after("too many requests", mailgun_now));
}

}  // namespace
}  // namespace postern::providers::common
