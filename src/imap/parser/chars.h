// The character classes of RFC 3501 §9 that both the command reader and
// the parser need.
#pragma once

#include <string_view>

namespace postern::imap {

// CHAR: 7-bit, no NUL.
constexpr bool is_char(char c) { return c > 0 && static_cast<unsigned char>(c) < 0x80; }

constexpr bool is_ctl(char c) { return (c >= 0 && c < 0x20) || c == 0x7f; }

// ATOM-CHAR: any CHAR except atom-specials
// ("(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]").
constexpr bool is_atom_char(char c) {
  return is_char(c) && !is_ctl(c) && c != '(' && c != ')' && c != '{' && c != ' ' && c != '%' &&
         c != '*' && c != '"' && c != '\\' && c != ']';
}

// ASTRING-CHAR: ATOM-CHAR or "]".
constexpr bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }

// tag: 1*<any ASTRING-CHAR except "+">.
constexpr bool is_tag_char(char c) { return is_astring_char(c) && c != '+'; }

constexpr bool is_valid_tag(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tag_char(c)) return false;
  }
  return true;
}

}  // namespace postern::imap
