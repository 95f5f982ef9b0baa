// Depth bound of the HTML sanitiser's input (see nesting_guard.h).
#include "mime/detail/nesting_guard.h"

#include <algorithm>
#include <array>

#include "core/ascii.h"

namespace postern::mime::detail {
namespace {

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Elements that never hold others (void), or that the next of their kind
// closes, and those the parser merges: none adds a level that stays.
bool adds_no_level(std::string_view name) {
  static constexpr std::array<std::string_view, 37> kFlat = {
      "area",    "base",  "br",    "col",     "embed",    "hr",  "img",    "input",
      "link",    "meta",  "param", "source",  "track",    "wbr", "keygen", "basefont",
      "bgsound", "frame", "image", "isindex", "p",        "li",  "dt",     "dd",
      "tr",      "td",    "th",    "option",  "optgroup", "rb",  "rt",     "rp",
      "rtc",     "thead", "tbody", "tfoot",   "html"};
  return std::find(kFlat.begin(), kFlat.end(), name) != kFlat.end() || name == "head" ||
         name == "body" || name == "colgroup" || name == "caption";
}

// Elements whose content is text up to their end tag (HTML §13.2.5).
bool is_raw_text(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kRaw = {
      "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"};
  return std::find(kRaw.begin(), kRaw.end(), name) != kRaw.end();
}

// The index just past the '>' closing the tag whose name ends at `i`;
// quoted attribute values may hold '>'.
std::size_t tag_end(std::string_view s, std::size_t i) {
  char quote = 0;
  bool after_equals = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '>') return i + 1;
    if (after_equals && (c == '"' || c == '\'')) quote = c;
    if (c == '=') {
      after_equals = true;
    } else if (!is_space(c)) {
      after_equals = false;
    }
  }
  return s.size();
}

// The length of the comment `s` starts with ("<!--"), its end included:
// "<!-->" and "<!--->" end at once (HTML §13.2.5.43-44).
std::size_t comment_length(std::string_view s) {
  if (s.starts_with("<!-->")) return 5;
  if (s.starts_with("<!--->")) return 6;
  std::size_t end = s.find("-->", 4);
  return end == std::string_view::npos ? s.size() : end + 3;
}

// Case-insensitive search for "</name" from `i`.
std::size_t find_end_tag(std::string_view s, std::size_t i, std::string_view name) {
  for (std::size_t p = s.find("</", i); p != std::string_view::npos; p = s.find("</", p + 2)) {
    if (ascii_istarts_with(s.substr(p + 2), name)) return p;
  }
  return s.size();
}

}  // namespace

std::string bound_nesting(std::string_view s, std::size_t max_depth) {
  std::string out;
  out.reserve(s.size());
  std::size_t depth = 0;
  std::size_t copied = 0;
  std::size_t i = 0;
  while ((i = s.find('<', i)) != std::string_view::npos) {
    std::string_view rest = s.substr(i);
    if (rest.starts_with("<!--")) {
      i += comment_length(rest);
      continue;
    }
    if (rest.starts_with("<!") || rest.starts_with("<?")) {
      i = tag_end(s, i + 2);
      continue;
    }
    bool closing = rest.starts_with("</");
    std::size_t name_begin = i + (closing ? 2 : 1);
    if (name_begin >= s.size() || !is_letter(s[name_begin])) {
      ++i;
      continue;
    }
    std::size_t name_end = name_begin;
    while (name_end < s.size() && !is_space(s[name_end]) && s[name_end] != '/' &&
           s[name_end] != '>') {
      ++name_end;
    }
    std::string name = ascii_lowered(s.substr(name_begin, name_end - name_begin));
    std::size_t end = tag_end(s, name_end);
    if (closing) {
      if (!adds_no_level(name) && depth > 0) --depth;
    } else if (name == "plaintext") {
      break;  // everything after it is text
    } else if (is_raw_text(name)) {
      end = find_end_tag(s, end, name);
    } else if (!adds_no_level(name)) {
      if (depth >= max_depth) {
        out.append(s.substr(copied, i - copied));
        copied = end;
      } else {
        ++depth;
      }
    }
    i = end;
  }
  out.append(s.substr(copied));
  return out;
}

}  // namespace postern::mime::detail
