#include "imap_syntax_check.h"

#include <cctype>
#include <charconv>

namespace postern::mime::test {
namespace {

// Reads one string (quoted or literal) at `pos`; false when malformed.
bool read_string(std::string_view s, std::size_t& pos) {
  if (s[pos] == '"') {
    for (++pos; pos < s.size(); ++pos) {
      auto u = static_cast<unsigned char>(s[pos]);
      if (u == '"') {
        ++pos;
        return true;
      }
      if (u == '\\' || u == '\r' || u == '\n' || u == 0 || u >= 0x80) return false;
    }
    return false;
  }
  std::size_t close = s.find("}\r\n", pos);
  if (close == std::string_view::npos) return false;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(s.data() + pos + 1, s.data() + close, n);
  if (ec != std::errc() || end != s.data() + close) return false;
  pos = close + 3;
  if (n > s.size() - pos) return false;
  pos += n;
  return true;
}

}  // namespace

ImapListShape check_imap_list(std::string_view s) {
  ImapListShape shape;
  if (s.empty() || s.front() != '(') return shape;
  int depth = 0;
  std::size_t pos = 0;
  bool need_separator = false;  // an item just ended: a space or ')' must follow
  while (pos < s.size()) {
    char c = s[pos];
    if (c == ')') {
      if (--depth < 0) return shape;
      ++pos;
      need_separator = true;
      if (depth == 0) {
        shape.ok = pos == s.size();
        return shape;
      }
      continue;
    }
    if (c == ' ') {
      if (!need_separator) return shape;
      need_separator = false;
      ++pos;
      continue;
    }
    // Lists may follow each other without a space ("(a)(b)", RFC 3501
    // §9 body-type-mpart, address lists); nothing else may.
    if (need_separator && c != '(') return shape;
    if (depth == 1) ++shape.top_level_items;
    if (c == '(') {
      ++depth;
      ++pos;
      need_separator = false;
      continue;
    }
    if (c == '"' || c == '{') {
      if (!read_string(s, pos)) return shape;
    } else if (s.substr(pos, 3) == "NIL") {
      pos += 3;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    } else {
      return shape;
    }
    need_separator = true;
  }
  return shape;
}

}  // namespace postern::mime::test
