// Header field values: the blanks around them, and the media type of a
// Content-Type. Shared by the API, the SMTP parser, the address checks and
// the simulated providers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"

namespace postern {

// `s` without the spaces and tabs around it (RFC 9110's OWS, RFC 5322's WSP).
constexpr std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The items of a list such as "a, b , c" (`separator` between them), the
// blanks around each trimmed and empty ones skipped; views into `list`.
inline std::vector<std::string_view> list_items(std::string_view list, char separator) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    auto at = list.find(separator);
    auto item = trim_blanks(list.substr(0, at));
    if (!item.empty()) out.push_back(item);
    if (at == std::string_view::npos) break;
    list.remove_prefix(at + 1);
  }
  return out;
}

// The media type of a Content-Type value, lower-cased, without parameters:
// "Multipart/Form-Data; boundary=x" gives "multipart/form-data".
inline std::string media_type(std::string_view content_type) {
  return ascii_lowered(trim_blanks(content_type.substr(0, content_type.find(';'))));
}

}  // namespace postern
