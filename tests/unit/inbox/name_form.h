// The form of generated user names, checked by hand: std::regex trips
// GCC 12's -Wmaybe-uninitialized under -O1.
#pragma once

#include <algorithm>
#include <string_view>

namespace postern::inbox {

// adjective-noun-NNNN: two runs of lower-case letters, then four digits.
inline bool has_user_name_form(std::string_view name) {
  auto lower = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  };
  auto first = name.find('-');
  auto second = name.find('-', first == std::string_view::npos ? name.size() : first + 1);
  if (second == std::string_view::npos) return false;
  auto digits = name.substr(second + 1);
  return lower(name.substr(0, first)) && lower(name.substr(first + 1, second - first - 1)) &&
         digits.size() == 4 &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace postern::inbox
