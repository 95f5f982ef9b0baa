// The HTML sanitiser: Gumbo's tree written back from an allow-list.
//
// Why this is safe to show: the output holds only tags this file writes,
// from the allow-list, and its text and attribute values have every '<',
// '>', '&' and '"' escaped, so however a browser re-parses it (tables move
// misplaced text, <a> inside <a> is split), it finds the same tags and
// attributes and no others: no comment, no foreign (svg, math) content, no
// raw-text element but <style>, whose CSS never holds a '<'
// (detail/css_sanitize.h).
#include "mime/html_sanitize.h"

#include <gumbo.h>

#include <vector>

#include "core/ascii.h"
#include "core/utf8.h"
#include "mime/detail/css_sanitize.h"
#include "mime/detail/gumbo_tree.h"
#include "mime/detail/url_policy.h"

namespace postern::mime {
namespace {

using detail::child_element;
using detail::text_of;
using detail::UrlDecision;
using detail::UrlVerdict;

enum class Action {
  keep,    // the element with its allowed attributes, then its content
  unwrap,  // its content only (unknown elements, forms, buttons)
  drop,    // neither (scripts, embedded content, form data, foreign content)
};

Action action_of(const GumboElement& e) {
  if (e.tag_namespace != GUMBO_NAMESPACE_HTML) return Action::drop;  // svg, math
  switch (e.tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_ACRONYM:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BDI:
    case GUMBO_TAG_BDO:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_COL:
    case GUMBO_TAG_COLGROUP:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_I:
    case GUMBO_TAG_IMG:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MARK:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_RP:
    case GUMBO_TAG_RT:
    case GUMBO_TAG_RUBY:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TIME:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_VAR:
    case GUMBO_TAG_WBR:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_LEGEND:
      return Action::keep;
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_FRAME:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_PARAM:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_OPTGROUP:
    case GUMBO_TAG_DATALIST:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_KEYGEN:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_SOURCE:
    case GUMBO_TAG_TRACK:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_MAP:
    case GUMBO_TAG_AREA:
    case GUMBO_TAG_BGSOUND:
    case GUMBO_TAG_IMAGE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_ISINDEX:
    case GUMBO_TAG_MENUITEM:
      return Action::drop;
    default:
      return Action::unwrap;
  }
}

bool is_void(GumboTag tag) {
  return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG ||
         tag == GUMBO_TAG_WBR || tag == GUMBO_TAG_COL;
}

// Presentation attributes of mail, harmless anywhere (no URL, no script).
bool is_plain_attribute(std::string_view name) {
  static constexpr std::string_view kAllowed[] = {
      "abbr",  "align",   "alink",   "alt",     "bgcolor",  "border",  "cellpadding", "cellspacing",
      "class", "clear",   "color",   "cols",    "colspan",  "compact", "datetime",    "dir",
      "face",  "frame",   "headers", "height",  "hspace",   "id",      "lang",        "link",
      "name",  "noshade", "nowrap",  "open",    "reversed", "rowspan", "rules",       "scope",
      "size",  "span",    "start",   "summary", "text",     "title",   "type",        "valign",
      "value", "vlink",   "vspace",  "width"};
  for (std::string_view allowed : kAllowed) {
    if (name == allowed) return true;
  }
  return false;
}

void append_escaped(std::string& out, std::string_view text, bool attribute) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\0':
        break;
      default:
        out += c;
    }
  }
}

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_escaped(out, value, true);
  out += '"';
}

// The text of a <style> element (one text node with the raw CSS).
std::string style_text(const GumboElement& e) {
  std::string css;
  for (unsigned i = 0; i < e.children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(e.children.data[i]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE) {
      css += text_of(*child);
    }
  }
  return css;
}

class Writer {
 public:
  explicit Writer(const SanitizeOptions& options) : options_(options) {}

  std::size_t blocked() const { return blocked_; }

  void style_element(std::string& out, const GumboElement& e) {
    out += "<style>\n";
    out += detail::sanitize_style_sheet(style_text(e), options_, blocked_);
    out += "</style>\n";
  }

  // The allowed attributes of `e`, written after its tag name.
  void attributes(std::string& out, const GumboElement& e) {
    bool has_href = false;
    bool fragment = false;
    for (unsigned i = 0; i < e.attributes.length; ++i) {
      const auto* attr = static_cast<const GumboAttribute*>(e.attributes.data[i]);
      if (attr->attr_namespace != GUMBO_ATTR_NAMESPACE_NONE) continue;
      std::string name = ascii_lowered(attr->name);
      std::string_view value = attr->value;
      if (is_plain_attribute(name)) {
        append_attribute(out, name, value);
      } else if (name == "style") {
        std::string css = detail::sanitize_declarations(value, options_, blocked_);
        if (!css.empty()) append_attribute(out, name, css);
      } else if (name == "href" && e.tag == GUMBO_TAG_A) {
        UrlDecision d = detail::link_url(value, options_);
        if (d.verdict != UrlVerdict::keep) continue;
        has_href = true;
        fragment = d.url.starts_with('#');
        append_attribute(out, name, d.url);
      } else if ((name == "src" && e.tag == GUMBO_TAG_IMG) || name == "background") {
        resource(out, name, value);
      } else if (name == "srcset" && !options_.allow_remote && has_remote_candidate(value)) {
        ++blocked_;  // srcset always goes (src stays): parsing it is not worth the risk
      }
    }
    if (has_href && !fragment) {
      append_attribute(out, "target", "_blank");
      append_attribute(out, "rel", "noopener noreferrer");
    }
  }

 private:
  void resource(std::string& out, std::string_view name, std::string_view value) {
    UrlDecision d = detail::resource_url(value, options_);
    if (d.verdict == UrlVerdict::blocked) ++blocked_;
    if (d.verdict == UrlVerdict::keep) append_attribute(out, name, d.url);
  }

  // Whether a srcset (HTML §4.8.4.3: "url descriptor, url descriptor")
  // names a remote image.
  bool has_remote_candidate(std::string_view srcset) {
    bool url_next = true;
    std::size_t i = 0;
    while (i < srcset.size()) {
      while (i < srcset.size() && ascii_whitespace(srcset[i])) ++i;
      std::size_t start = i;
      while (i < srcset.size() && !ascii_whitespace(srcset[i])) ++i;
      std::string_view token = srcset.substr(start, i - start);
      if (token.empty()) break;
      if (url_next) {
        std::string_view url = token.ends_with(',') ? token.substr(0, token.size() - 1) : token;
        SanitizeOptions probe;  // remote not allowed, no cid: only the verdict matters
        if (detail::resource_url(url, probe).verdict == UrlVerdict::blocked) return true;
      }
      url_next = token.ends_with(',');
    }
    return false;
  }

  static bool ascii_whitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }

  const SanitizeOptions& options_;
  std::size_t blocked_ = 0;
};

// Writes the content of `root` (the <body>), without recursion: a message
// may nest elements as deep as it likes.
void write_children(std::string& out, const GumboNode& root, Writer& writer) {
  struct Frame {
    const GumboVector* children;
    unsigned next;
    const char* close;  // the end tag to write after the children, or nullptr
  };
  std::vector<Frame> stack{{&root.v.element.children, 0, nullptr}};
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next >= frame.children->length) {
      if (frame.close != nullptr) {
        out += "</";
        out += frame.close;
        out += '>';
      }
      stack.pop_back();
      continue;
    }
    const auto& node = *static_cast<const GumboNode*>(frame.children->data[frame.next++]);
    if (node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_WHITESPACE ||
        node.type == GUMBO_NODE_CDATA) {
      append_escaped(out, text_of(node), false);
      continue;
    }
    if (node.type != GUMBO_NODE_ELEMENT) continue;  // comments, templates
    const GumboElement& e = node.v.element;
    Action action = action_of(e);
    if (action == Action::drop) continue;
    if (action == Action::unwrap) {
      stack.push_back({&e.children, 0, nullptr});
      continue;
    }
    if (e.tag == GUMBO_TAG_STYLE) {
      writer.style_element(out, e);
      continue;
    }
    const char* name = gumbo_normalized_tagname(e.tag);
    out += '<';
    out += name;
    writer.attributes(out, e);
    out += '>';
    if (is_void(e.tag)) continue;
    // The parser drops a newline just after <pre>: one more keeps the text's.
    if (e.tag == GUMBO_TAG_PRE && e.children.length > 0) {
      const auto& first = *static_cast<const GumboNode*>(e.children.data[0]);
      if ((first.type == GUMBO_NODE_TEXT || first.type == GUMBO_NODE_WHITESPACE) &&
          text_of(first).starts_with('\n')) {
        out += '\n';
      }
    }
    stack.push_back({&e.children, 0, name});
  }
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, true);
  return out;
}

const char* const kTooComplex =
    "This message's HTML is built to be too costly to parse, so it is not shown; its text part "
    "and its source are.";

SanitizedHtml sanitize_html(std::string_view html, const SanitizeOptions& options) {
  detail::GumboTree tree(html);
  const GumboNode* root = tree.root();

  std::string out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n";
  if (root == nullptr) {
    out += "</head>\n<body><p>";
    out += kTooComplex;
    out += "</p></body></html>\n";
    return {std::move(out), 0};
  }
  Writer writer(options);
  const GumboNode* head = child_element(*root, GUMBO_TAG_HEAD);
  if (head != nullptr) {
    const GumboVector& children = head->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_STYLE) {
        writer.style_element(out, child->v.element);
      }
    }
  }
  out += "</head>\n<body";
  const GumboNode* body = child_element(*root, GUMBO_TAG_BODY);
  if (body != nullptr) {
    writer.attributes(out, body->v.element);
    out += '>';
    write_children(out, *body, writer);
  } else {
    out += '>';
  }
  out += "</body></html>\n";
  // Gumbo 0.10 sums the digits of a numeric character reference in an int
  // without a bound, so "&#x09DDDDDDDDDD;" wraps past U+10FFFF and comes out
  // as bytes that are not UTF-8. The input was made valid before parsing;
  // the output is made valid again here rather than patching the parser.
  return {valid_utf8(out), writer.blocked()};
}

}  // namespace postern::mime
