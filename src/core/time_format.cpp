#include "core/time_format.h"

#include <fmt/chrono.h>

#include <charconv>

namespace postern {
namespace {

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc() && p == s.data() + pos + len;
}

}  // namespace

std::optional<SystemTime> from_unix_seconds(std::int64_t count) {
  using std::chrono::seconds;
  constexpr auto kLast = std::chrono::floor<seconds>(SystemTime::max().time_since_epoch()).count();
  constexpr auto kFirst = std::chrono::ceil<seconds>(SystemTime::min().time_since_epoch()).count();
  if (count > kLast || count < kFirst) return std::nullopt;
  return SystemTime(seconds(count));
}

std::string format_utc(SystemTime t, std::string_view format) {
  // The specifiers go into one replacement field: "{:%Y%m%d}".
  return fmt::format(fmt::runtime(fmt::format("{{:{}}}", format)),
                     std::chrono::floor<std::chrono::seconds>(t));
}

std::string format_rfc3339(SystemTime t) {
  using namespace std::chrono;
  auto ms = floor<milliseconds>(t);
  auto s = floor<seconds>(ms);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", s, (ms - s).count());
}

// std::chrono::parse would read the fields, but libstdc++ 12 (the
// toolchain here) does not have it; the calendar arithmetic is chrono's.
std::optional<SystemTime> parse_time(std::string_view s) {
  using namespace std::chrono;
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t secs = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
    if (ec != std::errc() || secs > std::int64_t{1} << 40) return std::nullopt;
    return from_unix_ms(secs * 1000);
  }
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || !read_int(s, 0, 4, y) || s[4] != '-' || !read_int(s, 5, 2, mo) ||
      s[7] != '-' || !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !read_int(s, 11, 2, h) || s[13] != ':' || !read_int(s, 14, 2, mi) || s[16] != ':' ||
      !read_int(s, 17, 2, sec)) {
    return std::nullopt;
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  milliseconds fraction(0);
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    int millis = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 3; ++k) millis *= 10;
    fraction = milliseconds(millis);
  }
  minutes offset(0);
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh, om;
    if (!read_int(s, pos + 1, 2, oh) || !read_int(s, pos + 4, 2, om)) return std::nullopt;
    offset = minutes((oh * 60 + om) * (s[pos] == '-' ? -1 : 1));
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  auto t = sys_days(date) + hours(h) + minutes(mi) + seconds(sec) + fraction - offset;
  return from_unix_ms(t.time_since_epoch().count());  // saturates past 2262
}

}  // namespace postern
