// Small encodings of list columns in the SQLite store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::store::sqlite {

// Tags and scopes hold no line breaks (validated at intake), so a newline
// separates them.
inline std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += '\n';
    out += items[i];
  }
  return out;
}

inline std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    auto nl = text.find('\n', start);
    out.emplace_back(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace postern::store::sqlite
