#include "imap/session/list_pattern.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace postern::imap {
namespace {

// Dynamic programming over (pattern, name) positions rather than a regex:
// patterns come from the client, and backtracking on them could be made to
// take exponential time. O(|pattern| * |name|); both are short.
bool matches(std::string_view p, std::string_view n) {
  // row[j]: the pattern so far matches the first j characters of the name.
  std::vector<char> row(n.size() + 1, 0), next(n.size() + 1, 0);
  row[0] = 1;
  for (char c : p) {
    std::fill(next.begin(), next.end(), 0);
    if (c == '*' || c == '%') {
      // Any run of characters (none of them the delimiter for '%').
      for (std::size_t j = 0; j <= n.size(); ++j) {
        if (row[j]) next[j] = 1;
        if (j > 0 && next[j - 1] && (c == '*' || n[j - 1] != kDelimiter)) next[j] = 1;
      }
    } else {
      for (std::size_t j = 1; j <= n.size(); ++j) next[j] = row[j - 1] && n[j - 1] == c;
    }
    row.swap(next);
  }
  return row[n.size()] != 0;
}

std::string upper_inbox_prefix(std::string_view pattern) {
  std::string out(pattern);
  for (std::size_t i = 0; i < out.size() && i < 5; ++i)
    out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i])));
  return out;
}

}  // namespace

bool list_matches(std::string_view pattern, std::string_view name) {
  if (name == "INBOX" || name.starts_with("INBOX/")) {
    // "inbox" and "Inbox/%" both name INBOX and what is below it.
    if (matches(upper_inbox_prefix(pattern), name)) return true;
  }
  return matches(pattern, name);
}

std::string list_pattern(std::string_view reference, std::string_view pattern) {
  std::string out(reference);
  if (!out.empty() && out.back() != kDelimiter && !pattern.empty() && pattern.front() != kDelimiter)
    out += kDelimiter;
  out += pattern;
  return out;
}

}  // namespace postern::imap
