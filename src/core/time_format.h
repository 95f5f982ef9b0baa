// Times as users and provider APIs read and write them: RFC 3339 in UTC
// with milliseconds ("2026-11-23T17:42:38.123Z") in the API, and the fixed
// formats of provider APIs, on std::chrono's calendar and fmt. (RFC 5322
// dates in mail headers are mime/date.h.)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace postern {

std::string format_rfc3339(SystemTime t);

// `t` in UTC, cut to whole seconds, through fmt's chrono specifiers (those
// of strftime; names in English whatever the locale), for the fixed formats
// of provider APIs: "%Y%m%dT%H%M%SZ", ... Requires: no '{' or '}' in
// `format`.
std::string format_utc(SystemTime t, std::string_view format);

// Accepts RFC 3339 ("2026-11-23T17:42:38Z", fractional seconds and numeric
// offsets allowed) or a plain number of Unix seconds. nullopt for anything
// else and for a day the calendar does not have (2023-02-30). A time past
// what SystemTime holds (2262) saturates (from_unix_ms).
std::optional<SystemTime> parse_time(std::string_view text);

// Unix seconds as a SystemTime; nullopt when it cannot hold them (before
// 1677 or after 2262).
std::optional<SystemTime> from_unix_seconds(std::int64_t count);

}  // namespace postern
