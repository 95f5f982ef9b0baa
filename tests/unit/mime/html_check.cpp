#include "html_check.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace postern::mime::test {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool allowed_element(std::string_view name) {
  static constexpr std::array<std::string_view, 84> kElements = {
      "html",    "head",    "body",     "meta",    "style", "a",       "abbr",     "acronym",
      "address", "article", "aside",    "b",       "bdi",   "bdo",     "big",      "blockquote",
      "br",      "caption", "center",   "cite",    "code",  "col",     "colgroup", "dd",
      "del",     "details", "dfn",      "div",     "dl",    "dt",      "em",       "figcaption",
      "figure",  "font",    "footer",   "h1",      "h2",    "h3",      "h4",       "h5",
      "h6",      "header",  "hgroup",   "hr",      "i",     "img",     "ins",      "kbd",
      "li",      "main",    "mark",     "nav",     "ol",    "p",       "pre",      "q",
      "rp",      "rt",      "ruby",     "s",       "samp",  "section", "small",    "span",
      "strike",  "strong",  "sub",      "summary", "sup",   "table",   "tbody",    "td",
      "tfoot",   "th",      "thead",    "time",    "tr",    "tt",      "u",        "ul",
      "var",     "wbr",     "fieldset", "legend"};
  return std::find(kElements.begin(), kElements.end(), name) != kElements.end();
}

bool safe_url(std::string_view value, std::string_view cid_prefix) {
  std::string v = lower(decode_entities(value));
  for (std::string_view ok : {"http:", "https:", "mailto:", "tel:", "#", "data:image/"}) {
    if (v.starts_with(ok)) return true;  // the scheme decides what a URL does
  }
  return !cid_prefix.empty() && v.starts_with(cid_prefix);
}

bool dangerous_css(std::string_view css) {
  std::string v = lower(css);
  for (std::string_view bad :
       {"expression", "javascript", "vbscript", "@import", "behavior", "-moz-binding", "<"}) {
    if (v.find(bad) != std::string::npos) return true;
  }
  return false;
}

void check_attributes(std::string_view name, std::string_view rest, std::string_view cid_prefix,
                      std::vector<std::string>& problems) {
  std::size_t i = 0;
  while (i < rest.size()) {
    if (rest[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t eq = rest.find("=\"", i);
    std::size_t close = eq == std::string_view::npos ? eq : rest.find('"', eq + 2);
    if (close == std::string_view::npos) {
      problems.push_back("<" + std::string(name) +
                         "> attribute not name=\"value\": " + std::string(rest.substr(i)));
      return;
    }
    std::string attr = lower(rest.substr(i, eq - i));
    std::string_view value = rest.substr(eq + 2, close - eq - 2);
    i = close + 1;
    if (attr.find_first_of(" /'<") != std::string::npos || attr.starts_with("on")) {
      problems.push_back("attribute " + attr + " on <" + std::string(name) + ">");
    } else if ((attr == "href" || attr == "src" || attr == "background") &&
               !safe_url(value, cid_prefix)) {
      problems.push_back(attr + "=\"" + std::string(value) + "\"");
    } else if (attr == "style" && dangerous_css(decode_entities(value))) {
      problems.push_back("style=\"" + std::string(value) + "\"");
    } else if (name == "meta" && attr != "charset") {
      problems.push_back("meta " + attr);
    }
  }
}

}  // namespace

std::string decode_entities(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    static constexpr std::array<std::pair<std::string_view, char>, 4> kEntities = {
        {{"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&amp;", '&'}}};
    bool done = false;
    for (auto [entity, c] : kEntities) {
      if (s.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out += s[i];
  }
  return out;
}

std::vector<std::string> executable_parts(std::string_view html, std::string_view cid_prefix) {
  std::vector<std::string> problems;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    std::size_t end = html.find('>', i);
    if (end == std::string_view::npos) {
      problems.push_back("unclosed tag at " + std::to_string(i));
      break;
    }
    std::string_view tag = html.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag == "!DOCTYPE html") continue;
    if (tag.starts_with('!')) {
      problems.push_back("comment or declaration <" + std::string(tag) + ">");
      continue;
    }
    bool closing = tag.starts_with('/');
    if (closing) tag.remove_prefix(1);
    std::size_t name_end = std::min(tag.find(' '), tag.size());
    std::string name = lower(tag.substr(0, name_end));
    if (!allowed_element(name)) {
      problems.push_back("element <" + std::string(tag.substr(0, 40)) + ">");
      continue;
    }
    if (closing) continue;
    check_attributes(name, tag.substr(name_end), cid_prefix, problems);
    if (name == "style") {
      std::size_t css_end = html.find("</style>", i);
      std::string_view css = html.substr(i, css_end - i);
      if (dangerous_css(css)) problems.push_back("<style>" + std::string(css));
      i = css_end == std::string_view::npos ? html.size() : css_end;
    }
  }
  return problems;
}

std::string visible_text(std::string_view html) {
  std::string text;
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      std::size_t next = std::min(html.find('<', i), html.size());
      text += decode_entities(html.substr(i, next - i));
      i = next;
      continue;
    }
    if (html.substr(i, 7) == "<style>") {
      std::size_t end = html.find("</style>", i);
      i = end == std::string_view::npos ? html.size() : end + 8;
      continue;
    }
    std::size_t end = html.find('>', i);
    i = end == std::string_view::npos ? html.size() : end + 1;
  }
  return text;
}

}  // namespace postern::mime::test
