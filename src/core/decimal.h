// A text that is a decimal number and nothing else: digits only, no sign,
// no blanks, no unit. The one reading of such numbers, for config values,
// query parameters, SMTP arguments and providers' headers alike.
#pragma once

#include <charconv>
#include <concepts>
#include <limits>
#include <optional>
#include <string_view>

namespace postern {

// What a number too large for the type reads as: nothing, or the type's
// largest value (a wait, or a SIZE, that long counts as the longest).
enum class OnOverflow { refuse, saturate };

template <std::integral T>
std::optional<T> parse_decimal(std::string_view text, OnOverflow overflow = OnOverflow::refuse) {
  // from_chars takes a leading '-' for signed types; a sign is not a digit.
  if (text.empty() || text.front() == '-') return std::nullopt;
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range && overflow == OnOverflow::saturate) {
    return std::numeric_limits<T>::max();
  }
  if (ec != std::errc()) return std::nullopt;
  return value;
}

}  // namespace postern
