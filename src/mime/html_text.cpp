// html_to_text: a walk of Gumbo's tree, writing the text nodes.
#include "mime/html_text.h"

#include <gumbo.h>

#include <vector>

#include "core/utf8.h"
#include "mime/detail/gumbo_tree.h"

namespace postern::mime {
namespace {

enum class Kind {
  skipped,  // neither the element nor its content is seen
  block,    // starts and ends a line
  cell,     // separated from its neighbours by a space
  inline_,  // its content flows with the text around it
};

Kind kind_of(GumboTag tag) {
  if (tag >= GUMBO_TAG_H1 && tag <= GUMBO_TAG_H6) return Kind::block;  // consecutive in Gumbo
  switch (tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_TITLE:
      return Kind::skipped;
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
      return Kind::block;
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      return Kind::cell;
    default:
      return Kind::inline_;
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// The text being written, with HTML's whitespace rules.
class TextWriter {
 public:
  void text(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (is_space(s[i])) {
        space();
      } else if (s.substr(i).starts_with("\xC2\xA0")) {  // U+00A0, &nbsp;
        space();
        ++i;
      } else {
        out_ += s[i];
      }
    }
  }

  // A space, unless at the start of a line or after another.
  void space() {
    if (!out_.empty() && out_.back() != ' ' && out_.back() != '\n') out_ += ' ';
  }

  // Ends the line, unless it is empty: blocks never leave blank lines.
  void end_line() {
    trim_space();
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }

  // Ends the line even when empty: <br><br> is a blank line.
  void line_break() {
    trim_space();
    if (!out_.empty()) out_ += '\n';
  }

  // The text, without the line breaks that ended its last line.
  std::string take() {
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n')) out_.pop_back();
    return std::move(out_);
  }

 private:
  void trim_space() {
    if (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }

  std::string out_;
};

// Writes the text under `root`, without recursion: a message may nest
// elements as deep as the nesting guard lets it.
void write_text(TextWriter& out, const GumboNode& root) {
  struct Frame {
    const GumboVector* children;
    unsigned next;
    Kind kind;  // what to write after the children
  };
  std::vector<Frame> stack{{&root.v.element.children, 0, Kind::inline_}};
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next >= frame.children->length) {
      if (frame.kind == Kind::block) out.end_line();
      if (frame.kind == Kind::cell) out.space();
      stack.pop_back();
      continue;
    }
    const auto& node = *static_cast<const GumboNode*>(frame.children->data[frame.next++]);
    if (node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_WHITESPACE ||
        node.type == GUMBO_NODE_CDATA) {
      out.text(detail::text_of(node));
      continue;
    }
    if (node.type != GUMBO_NODE_ELEMENT) continue;  // comments
    const GumboElement& e = node.v.element;
    if (e.tag == GUMBO_TAG_BR) {
      out.line_break();
      continue;
    }
    Kind kind = kind_of(e.tag);
    if (kind == Kind::skipped) continue;
    if (kind == Kind::block) out.end_line();
    stack.push_back({&e.children, 0, kind});
  }
}

}  // namespace

std::string html_to_text(std::string_view html) {
  detail::GumboTree tree(html);
  if (tree.root() == nullptr) return {};
  TextWriter out;
  write_text(out, *tree.root());
  // Gumbo's unbounded numeric character references (see sanitize_html).
  return valid_utf8(out.take());
}

}  // namespace postern::mime
