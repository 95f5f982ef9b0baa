#include "providers/common/retry_hint.h"

#include <algorithm>
#include <string>

#include "core/decimal.h"
#include "core/header_value.h"
#include "core/time_format.h"
#include "mime/date.h"

namespace postern::providers::common {

namespace {

std::chrono::milliseconds wait_until(SystemTime target, SystemTime now) {
  // In milliseconds: two SystemTimes three centuries apart (a date in 1700)
  // are further apart than their nanoseconds can say.
  using std::chrono::milliseconds;
  auto d = std::chrono::floor<milliseconds>(target.time_since_epoch()) -
           std::chrono::floor<milliseconds>(now.time_since_epoch());
  return std::clamp(d, milliseconds(0), kMaxProviderWait);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, SystemTime now) {
  value = trim_blanks(value);
  if (auto seconds = parse_decimal<long long>(value, OnOverflow::saturate)) {
    constexpr auto kMaxSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(kMaxProviderWait).count();
    return *seconds >= kMaxSeconds ? kMaxProviderWait
                                   : std::chrono::milliseconds(std::chrono::seconds(*seconds));
  }
  auto date = mime::parse_date(value);
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
  auto date = mime::parse_date(message.substr(pos + kMarker.size()));
  if (!date) return std::nullopt;
  return wait_until(*date, now);
}

}  // namespace postern::providers::common
