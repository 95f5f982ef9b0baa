#include "providers/common/retry_hint.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>

#include "core/ascii.h"
#include "core/decimal.h"
#include "core/header_value.h"

namespace postern::providers::common {

namespace {

// A tiny cursor over the date text; every reader skips leading blanks.
struct Cursor {
  std::string_view s;

  void skip_blanks() {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  }
  std::optional<int> number(std::size_t min_digits, std::size_t max_digits) {
    skip_blanks();
    std::size_t n = 0;
    while (n < s.size() && n < max_digits && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
    if (n < min_digits) return std::nullopt;
    int v = 0;
    std::from_chars(s.data(), s.data() + n, v);
    s.remove_prefix(n);
    return v;
  }
  std::string_view word() {
    skip_blanks();
    std::size_t n = 0;
    while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
    auto w = s.substr(0, n);
    s.remove_prefix(n);
    return w;
  }
  bool consume(char c) {
    skip_blanks();
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
  }
};

std::optional<int> month_index(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (ascii_iequals(kMonths[static_cast<std::size_t>(i)], name)) return i;
  }
  return std::nullopt;
}

std::chrono::milliseconds wait_until(SystemTime target, SystemTime now) {
  // In milliseconds: two SystemTimes three centuries apart (a date in 1700)
  // are further apart than their nanoseconds can say.
  using std::chrono::milliseconds;
  auto d = std::chrono::floor<milliseconds>(target.time_since_epoch()) -
           std::chrono::floor<milliseconds>(now.time_since_epoch());
  return std::clamp(d, milliseconds(0), kMaxProviderWait);
}

// Unix seconds as a SystemTime, when it can hold them.
std::optional<SystemTime> from_unix_seconds(long long seconds) {
  constexpr auto kLast =
      std::chrono::floor<std::chrono::seconds>(SystemTime::max().time_since_epoch()).count();
  constexpr auto kFirst =
      std::chrono::ceil<std::chrono::seconds>(SystemTime::min().time_since_epoch()).count();
  if (seconds > kLast || seconds < kFirst) return std::nullopt;
  return SystemTime(std::chrono::seconds(seconds));
}

}  // namespace

std::optional<SystemTime> parse_rfc5322_date(std::string_view text) {
  Cursor c{text};
  Cursor probe = c;
  if (!probe.word().empty() && probe.consume(',')) c = probe;  // optional day-of-week
  auto day = c.number(1, 2);
  auto month = month_index(c.word());
  auto year = c.number(4, 4);
  auto hour = c.number(2, 2);
  if (!day || !month || !year || !hour || !c.consume(':')) return std::nullopt;
  auto minute = c.number(2, 2);
  if (!minute) return std::nullopt;
  int second = 0;
  if (c.consume(':')) {
    auto s = c.number(2, 2);
    if (!s) return std::nullopt;
    second = *s;
  }
  int offset_minutes = 0;
  c.skip_blanks();
  if (!c.s.empty() && (c.s.front() == '+' || c.s.front() == '-')) {
    int sign = c.s.front() == '-' ? -1 : 1;
    c.s.remove_prefix(1);
    if (c.s.size() < 4) return std::nullopt;
    auto hhmm = c.number(4, 4);
    if (!hhmm) return std::nullopt;
    offset_minutes = sign * ((*hhmm / 100) * 60 + *hhmm % 100);
  } else {
    auto zone = c.word();
    if (!(ascii_iequals(zone, "UT") || ascii_iequals(zone, "UTC") || ascii_iequals(zone, "GMT") ||
          ascii_iequals(zone, "Z"))) {
      return std::nullopt;
    }
  }
  if (*day < 1 || *day > 31 || *hour > 23 || *minute > 59 || second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = second;
  return from_unix_seconds(static_cast<long long>(timegm(&tm)) - 60LL * offset_minutes);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, SystemTime now) {
  value = trim_blanks(value);
  if (auto seconds = parse_decimal<long long>(value, OnOverflow::saturate)) {
    constexpr auto kMaxSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(kMaxProviderWait).count();
    return *seconds >= kMaxSeconds ? kMaxProviderWait
                                   : std::chrono::milliseconds(std::chrono::seconds(*seconds));
  }
  auto date = parse_rfc5322_date(value);
  if (!date) return std::nullopt;
  return wait_until(*date, now);
}

std::optional<std::chrono::milliseconds> wait_until_unix_seconds(std::string_view value,
                                                                 SystemTime now) {
  auto seconds = parse_decimal<long long>(value, OnOverflow::saturate);
  if (!seconds) return std::nullopt;
  auto reset = from_unix_seconds(*seconds);
  return reset ? wait_until(*reset, now) : kMaxProviderWait;  // beyond 2262: as far as it gets
}

std::optional<std::chrono::milliseconds> wait_from_try_again_after(std::string_view message,
                                                                   SystemTime now) {
  static constexpr std::string_view kMarker = "try again after ";
  auto pos = message.find(kMarker);
  if (pos == std::string_view::npos) return std::nullopt;
  auto date = parse_rfc5322_date(message.substr(pos + kMarker.size()));
  if (!date) return std::nullopt;
  return wait_until(*date, now);
}

}  // namespace postern::providers::common
