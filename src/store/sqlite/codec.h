// Small encodings of list columns in the SQLite store.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"

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

// Recipients in the messages row: a line each, the kind's digit
// (RecipientKind) before the address. Addresses hold no line breaks
// (validated at intake). Schema migration 5 writes the same encoding.
inline std::string join_recipients(const std::vector<Recipient>& recipients) {
  std::string out;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (i) out += '\n';
    out += static_cast<char>('0' + static_cast<int>(recipients[i].kind));
    out += recipients[i].address;
  }
  return out;
}

// Read on every lease, so it scans the text once without splitting it first.
inline std::vector<Recipient> split_recipients(std::string_view text) {
  std::vector<Recipient> out;
  while (!text.empty()) {
    auto line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    if (line.empty()) continue;
    int digit = line.front() - '0';
    auto kind = digit >= 0 && digit <= static_cast<int>(RecipientKind::bcc) ? static_cast<RecipientKind>(digit)
                                                                            : RecipientKind::to;
    out.push_back({std::string(line.substr(1)), kind});
  }
  return out;
}

// The detail of a message's "accepted" event, from the row's source and
// submitter (schema 5 keeps no copy of it).
inline std::string accepted_detail(std::string_view source, std::string_view submitted_by) {
  std::string out;
  if (!source.empty()) out.append("via ").append(source);
  if (!submitted_by.empty()) out.append(" by ").append(submitted_by);
  return out;
}

}  // namespace postern::store::sqlite
