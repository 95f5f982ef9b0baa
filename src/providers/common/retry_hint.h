// How long a provider asked us to wait: Retry-After headers, reset times as
// Unix seconds (SendGrid X-RateLimit-Reset) and dates in error text (Mailgun
// "try again after <RFC 2822 date>", as Mailgun words it).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/clock.h"

namespace postern::providers::common {

// The longest wait a provider's answer can impose. A longer ask, or a date
// further ahead, counts as this long: one odd header must not park a
// provider or a message for years (the router and the retry policy add the
// wait to the clock, which must stay in range).
inline constexpr std::chrono::milliseconds kMaxProviderWait = std::chrono::hours(24);

// The waits below are at most kMaxProviderWait, and 0 for a time past.

// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date (read by
// mime::parse_date, as is the date after "try again after ").
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, SystemTime now);

// An absolute reset time given as Unix seconds.
std::optional<std::chrono::milliseconds> wait_until_unix_seconds(std::string_view value,
                                                                 SystemTime now);

// The date after "try again after " in a message, as a wait from now.
std::optional<std::chrono::milliseconds> wait_from_try_again_after(std::string_view message,
                                                                   SystemTime now);

}  // namespace postern::providers::common
