// RFC 5322 §3.3 dates on GMime's utilities: the Date field of built
// messages, the SMTP trace field, and the dates in providers' answers
// (Retry-After, Mailgun's "try again after ...").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace postern::mime {

// "Tue, 01 Jul 2025 09:05:00 +0000": `t` in UTC, cut to whole seconds.
std::string format_date(SystemTime t);

// Reads a date-time as mail and HTTP write them: RFC 5322 §3.3 with its
// obsolete forms (§4.3: zone names such as GMT, UT or PST, two-digit years),
// seconds and day name optional, and HTTP's IMF-fixdate with the obsolete
// RFC 850 and asctime forms (RFC 9110 §5.6.7). nullopt for text that holds
// no such date, a day the calendar does not have, a year before 1969 (GMime
// reads none; no mail or provider answer carries one) or a time SystemTime
// cannot hold (after 2262). Needs no init().
std::optional<SystemTime> parse_date(std::string_view text);

}  // namespace postern::mime
