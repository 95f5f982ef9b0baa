// CSS cleaning for the HTML sanitiser: canonical form first, then rules and
// declarations judged on it (see css_sanitize.h for why by hand).
#include "mime/detail/css_sanitize.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

#include "core/ascii.h"
#include "mime/detail/url_policy.h"

namespace postern::mime::detail {
namespace {

// Deeper @media/@supports nesting is dropped: the reader recurses.
constexpr int kMaxNesting = 8;

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_css_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Characters an identifier holds without escaping (CSS Syntax 3 §4.2,
// "ident code point"): left as they are in the canonical form.
bool is_plain(char32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
         cp == '-' || cp == '_' || cp >= 0x80;
}

bool is_ident_byte(char c) { return is_plain(static_cast<unsigned char>(c)); }

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void append_escape(std::string& out, char32_t cp) {
  char hex[8];  // a code point is at most 6 hex digits
  auto end = std::to_chars(hex, hex + sizeof hex, static_cast<std::uint32_t>(cp), 16).ptr;
  out += '\\';
  out.append(hex, end);
  out += ' ';
}

void append_canonical(std::string& out, char32_t cp) {
  if (is_plain(cp)) {
    append_utf8(out, cp);
  } else {
    append_escape(out, cp);
  }
}

// One UTF-8 character of valid input at `i`: its code point and length.
std::pair<char32_t, std::size_t> utf8_at(std::string_view s, std::size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  len = std::min(len, s.size() - i);
  char32_t cp = len == 1 ? b : b & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
  return {cp, len};
}

// The escape at s[i] == '\\' (CSS Syntax 3 §4.3.7), decoded and written in
// canonical form; returns the index past it.
std::size_t canonical_escape(std::string_view s, std::size_t i, bool in_string, std::string& out) {
  ++i;
  if (i >= s.size()) return i;  // a lone final backslash: U+FFFD, dropped
  char d = s[i];
  if (d == '\n' || d == '\r' || d == '\f') {  // a line continuation in a string
    ++i;
    if (d == '\r' && i < s.size() && s[i] == '\n') ++i;
    if (!in_string) out += ' ';
    return i;
  }
  char32_t cp = 0;
  if (is_hex(d)) {
    std::size_t n = 0;
    while (i < s.size() && n < 6 && is_hex(s[i])) {
      char h = ascii_lower(s[i]);
      cp = cp * 16 + static_cast<char32_t>(h <= '9' ? h - '0' : h - 'a' + 10);
      ++i;
      ++n;
    }
    if (i < s.size() && is_css_space(s[i])) {
      bool crlf = s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n';
      i += crlf ? 2 : 1;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  } else {
    auto [c, len] = utf8_at(s, i);
    cp = c;
    i += len;
  }
  append_canonical(out, cp);
  return i;
}

// The canonical form (see css_sanitize.h).
std::string canonical(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char quote = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '\0') {
      ++i;
    } else if (c == '\\') {
      i = canonical_escape(s, i, quote != 0, out);
    } else if (quote != 0) {
      if (c == quote) {
        quote = 0;
        out += c;
      } else if (c == '\n' || c == '\r' || c == '\f') {
        out += quote;  // an unterminated string ends at the line end
        out += c;
        quote = 0;
      } else if (c == '<') {
        out += "\\3c ";
      } else {
        out += c;
      }
      ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      std::size_t end = s.find("*/", i + 2);
      // Nothing in its place, as old IE read "exp/**/ression(": what is
      // judged then holds every word such a browser could have seen.
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (c == '"' || c == '\'') {
      quote = c;
      out += c;
      ++i;
    } else {
      out += c == '<' ? ' ' : c;
      ++i;
    }
  }
  if (quote != 0) out += quote;
  return out;
}

// Canonical text is scanned with these: an escape is '\\', hex digits and a
// space, and is never structure.
std::size_t past_escape(std::string_view s, std::size_t i) {
  ++i;
  while (i < s.size() && is_hex(s[i])) ++i;
  return i < s.size() ? i + 1 : i;
}

std::size_t past_string(std::string_view s, std::size_t i) {
  char quote = s[i++];
  while (i < s.size() && s[i] != quote) i = s[i] == '\\' ? past_escape(s, i) : i + 1;
  return std::min(i + 1, s.size());
}

// The index of the first of `stops` at nesting depth 0 (parentheses,
// brackets and braces counted, strings skipped) from `i`, or s.size().
std::size_t find_top_level(std::string_view s, std::size_t i, std::string_view stops) {
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (depth == 0 && stops.find(c) != std::string_view::npos) return i;
    if (c == '\\') {
      i = past_escape(s, i);
      continue;
    }
    if (c == '"' || c == '\'') {
      i = past_string(s, i);
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    ++i;
  }
  return s.size();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_css_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_css_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_property_name(std::string_view name) {
  if (name.empty()) return false;
  std::size_t start = name[0] == '-' ? 1 : 0;
  if (start >= name.size()) return false;
  char first = name[start];
  bool ok_first = first == '-' || first == '_' || (first >= 'a' && first <= 'z') ||
                  (first >= 'A' && first <= 'Z');
  return ok_first && std::all_of(name.begin(), name.end(), is_ident_byte);
}

// Functions that run code (expression: old IE) or load an image from a
// string or a variable, which url_policy would never see.
bool is_denied_function(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kDenied = {"expression",
                                                               "image-set",
                                                               "-webkit-image-set",
                                                               "image",
                                                               "src",
                                                               "element",
                                                               "-moz-element",
                                                               "cross-fade",
                                                               "-webkit-cross-fade",
                                                               "paint",
                                                               "-moz-image-rect"};
  return std::find(kDenied.begin(), kDenied.end(), name) != kDenied.end();
}

// Undoes the canonical escapes of a URL written in CSS.
std::string unescaped(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '\\') {
      out += s[i++];
      continue;
    }
    std::size_t end = past_escape(s, i);
    std::string digits(s.substr(i + 1, end - i - 1));
    while (!digits.empty() && !is_hex(digits.back())) digits.pop_back();
    char32_t cp = digits.empty() ? 0xFFFD : static_cast<char32_t>(std::stoul(digits, nullptr, 16));
    append_utf8(out, cp);
    i = end;
  }
  return out;
}

// A URL as a CSS string in single quotes (a style="" attribute then
// needs no &quot;): quotes, backslashes, '<' and controls escaped.
std::string quoted_url(std::string_view url) {
  std::string out = "url('";
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\'' || c == '\\' || c == '<' || u < 0x20 || u == 0x7F) {
      append_escape(out, u);
    } else {
      out += c;
    }
  }
  out += "')";
  return out;
}

// The argument of url( at `i` (just past the parenthesis) and the index
// past its ')'; nothing for a malformed one.
std::optional<std::pair<std::string, std::size_t>> url_argument(std::string_view v, std::size_t i) {
  while (i < v.size() && is_css_space(v[i])) ++i;
  std::string raw;
  if (i < v.size() && (v[i] == '"' || v[i] == '\'')) {
    std::size_t end = past_string(v, i);
    raw = std::string(v.substr(i + 1, end - i - 2));
    i = end;
    while (i < v.size() && is_css_space(v[i])) ++i;
  } else {
    std::size_t start = i;
    while (i < v.size() && v[i] != ')' && !is_css_space(v[i]) && v[i] != '"' && v[i] != '\'' &&
           v[i] != '(') {
      i = v[i] == '\\' ? past_escape(v, i) : i + 1;
    }
    raw = std::string(v.substr(start, i - start));
    while (i < v.size() && is_css_space(v[i])) ++i;
  }
  if (i >= v.size() || v[i] != ')') return std::nullopt;
  return std::pair{unescaped(raw), i + 1};
}

// The words alone, not only "javascript:": no property or value needs
// them, and a list of where they could turn into a URL is longer than this.
bool has_denied_word(std::string_view css) {
  std::string lowered = ascii_lowered(css);
  for (std::string_view bad :
       {"expression", "javascript", "vbscript", "@import", "behavior", "-moz-binding", "{", "}"}) {
    if (lowered.find(bad) != std::string::npos) return true;
  }
  return false;
}

// A declaration's value with its url()s rewritten; nothing when the
// declaration must go.
std::optional<std::string> sanitized_value(std::string_view v, const SanitizeOptions& options,
                                           std::size_t& blocked) {
  if (has_denied_word(v)) return std::nullopt;
  std::string out;
  std::size_t copied = 0;
  bool refused = false;
  for (std::size_t i = 0; i < v.size();) {
    char c = v[i];
    if (c == '\\') {
      i = past_escape(v, i);
      continue;
    }
    if (c == '"' || c == '\'') {
      i = past_string(v, i);
      continue;
    }
    if (c != '(') {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (start > 0 && is_ident_byte(v[start - 1])) --start;
    std::string name = ascii_lowered(v.substr(start, i - start));
    if (is_denied_function(name)) return std::nullopt;
    if (name != "url") {
      ++i;
      continue;
    }
    auto arg = url_argument(v, i + 1);
    if (!arg) return std::nullopt;
    UrlDecision decision = resource_url(arg->first, options);
    if (decision.verdict == UrlVerdict::blocked) ++blocked;
    if (decision.verdict != UrlVerdict::keep) refused = true;
    out.append(v.substr(copied, start - copied));
    out += quoted_url(decision.url);
    copied = i = arg->second;
  }
  if (refused) return std::nullopt;
  out.append(v.substr(copied));
  return out;
}

std::string declarations(std::string_view css, const SanitizeOptions& options,
                         std::size_t& blocked) {
  std::string out;
  std::size_t i = 0;
  while (i < css.size()) {
    std::size_t end = find_top_level(css, i, ";");
    std::string_view decl = css.substr(i, end - i);
    i = end + 1;
    std::size_t colon = find_top_level(decl, 0, ":");
    if (colon == decl.size()) continue;
    std::string_view name = trim(decl.substr(0, colon));
    if (!is_property_name(name) || has_denied_word(name)) continue;
    auto value = sanitized_value(trim(decl.substr(colon + 1)), options, blocked);
    if (!value) continue;
    if (!out.empty()) out += "; ";
    out.append(name);
    out += ": ";
    out += *value;
  }
  return out;
}

// Whether a selector or an at-rule's prelude may be kept: one that holds
// ';' or '@' (the remains of a broken rule, which a browser drops too) or
// anything sanitized_value refuses goes with its rule.
bool plain_prelude(std::string_view prelude) {
  if (prelude.find_first_of(";@") != std::string_view::npos) return false;
  std::size_t ignored = 0;
  auto checked = sanitized_value(prelude, SanitizeOptions{}, ignored);
  return checked && *checked == prelude;
}

void style_sheet(std::string_view css, const SanitizeOptions& options, std::size_t& blocked,
                 int nesting, std::string& out) {
  std::size_t i = 0;
  while (i < css.size()) {
    while (i < css.size() && is_css_space(css[i])) ++i;
    if (i >= css.size()) break;
    if (css[i] == '}' || css[i] == ';') {  // stray: skipped, as a browser does
      ++i;
      continue;
    }
    std::size_t open = find_top_level(css, i, css[i] == '@' ? "{;" : "{");
    if (open == css.size() || css[open] == ';') {  // a statement at-rule, or an unfinished rule
      i = open + 1;
      continue;
    }
    std::size_t close = find_top_level(css, open + 1, "}");
    std::string_view prelude = trim(css.substr(i, open - i));
    std::string_view block = css.substr(open + 1, close - open - 1);
    i = close + 1;
    if (prelude.starts_with('@')) {
      std::size_t name_end = 1;
      while (name_end < prelude.size() && is_ident_byte(prelude[name_end])) ++name_end;
      std::string name = ascii_lowered(prelude.substr(1, name_end - 1));
      bool grouping = name == "media" || name == "supports" || name == "keyframes" ||
                      name == "-webkit-keyframes";
      if (!grouping || nesting >= kMaxNesting || !plain_prelude(prelude.substr(1))) continue;
      out.append(prelude);
      out += " {\n";
      style_sheet(block, options, blocked, nesting + 1, out);
      out += "}\n";
      continue;
    }
    if (!plain_prelude(prelude)) continue;
    out.append(prelude);
    out += " { ";
    out += declarations(block, options, blocked);
    out += " }\n";
  }
}

}  // namespace

std::string sanitize_declarations(std::string_view css, const SanitizeOptions& options,
                                  std::size_t& blocked) {
  return declarations(canonical(css), options, blocked);
}

std::string sanitize_style_sheet(std::string_view css, const SanitizeOptions& options,
                                 std::size_t& blocked) {
  std::string out;
  style_sheet(canonical(css), options, blocked, 0, out);
  return out;
}

}  // namespace postern::mime::detail
