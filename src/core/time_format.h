// Times as users read and write them: RFC 3339 in UTC with milliseconds
// ("2026-11-23T17:42:38.123Z") in the API, RFC 5322 dates in mail headers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace postern {

std::string format_rfc3339(SystemTime t);
// `t` in UTC through strftime's `format` (whole seconds; the C locale's
// names), for the fixed formats of provider APIs: "%Y%m%dT%H%M%SZ", ...
std::string format_utc(SystemTime t, const char* format);

// Accepts RFC 3339 ("2026-11-23T17:42:38Z", fractional seconds and numeric
// offsets allowed) or a plain number of Unix seconds.
std::optional<SystemTime> parse_time(std::string_view text);

}  // namespace postern
