// IMAP quoted strings and literals (RFC 3501 §4.3).
#include "mime/imap_string.h"

#include <algorithm>

namespace postern::mime {
namespace {

bool is_lwsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Whether append_imap_text must rewrite whitespace: any CR, LF or tab, a
// space at either end, or two in a row.
bool needs_whitespace_rewrite(std::string_view value) {
  bool last_space = true;
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\t') return true;
    if (c == ' ' && last_space) return true;
    last_space = c == ' ';
  }
  return last_space && !value.empty();
}

}  // namespace

bool is_quotable(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u == 0 || u == '\r' || u == '\n' || u == '"' || u == '\\' || u >= 0x80;
  });
}

void append_imap_text(std::string& out, std::string_view value) {
  if (is_quotable(value) && !needs_whitespace_rewrite(value)) {
    append_imap_string(out, value);
    return;
  }
  std::string text;
  bool pending_space = false;
  for (char c : value) {
    if (is_lwsp(c)) {
      pending_space = !text.empty();
      continue;
    }
    if (pending_space) text += ' ';
    pending_space = false;
    text += c == '\0' ? static_cast<char>(0x80) : c;
  }
  if (text.empty()) {
    out += "\"\"";
    return;
  }
  out += '{';
  out += std::to_string(text.size());
  out += "}\r\n";
  out += text;
}

void append_imap_string(std::string& out, std::string_view value) {
  if (!is_quotable(value)) {
    out += '{';
    out += std::to_string(value.size());
    out += "}\r\n";
    out += value;
    return;
  }
  out += '"';
  out += value;
  out += '"';
}

void append_imap_nstring(std::string& out, std::optional<std::string_view> value) {
  if (value) {
    append_imap_string(out, *value);
  } else {
    out += "NIL";
  }
}

}  // namespace postern::mime
