// HTML parsed as a browser parses it (Gumbo, the HTML5 algorithm), within
// bounds that hold for any input: the nesting guard (nesting_guard.h) before
// the parse, and a memory budget during it. Shared by what reads the HTML of
// caught mail: the sanitiser (mime/html_sanitize.h) and its text
// (mime/html_text.h).
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace postern::mime::detail {

// Gumbo's allocations go to an arena freed at once, within a budget.
// - Freed at once: gumbo_destroy_output frees the tree recursively, and a
//   message nesting elements deep enough would overflow the stack there.
// - A budget: the HTML5 algorithm reopens every open formatting element
//   (<b>, <font>, ...) in each new paragraph, so a few kilobytes of them
//   and a megabyte of "<p>x" build a tree of gigabytes. Past the budget the
//   tree is not built.
class GumboTree {
 public:
  // Parses `html`; bytes that are not UTF-8 are replaced (Gumbo reads UTF-8
  // only) and nesting beyond kMaxHtmlNesting is cut first. Linear in the
  // input's size, in time and memory.
  explicit GumboTree(std::string_view html);
  GumboTree(const GumboTree&) = delete;
  GumboTree& operator=(const GumboTree&) = delete;
  ~GumboTree();

  // The document (<html>, with its <head> and <body> as the parser made
  // them), or nullptr when the tree went over its budget: the input is
  // built to be too costly to parse. Valid as long as this object.
  const GumboNode* root() const { return output_ == nullptr ? nullptr : output_->root; }

 private:
  class Arena;

  std::string input_;  // Gumbo's nodes point into it (original_text)
  std::unique_ptr<Arena> arena_;
  GumboOutput* output_ = nullptr;
};

// The first child element of `parent` with tag `tag`, or nullptr.
const GumboNode* child_element(const GumboNode& parent, GumboTag tag);

// A text node's text ("" if none).
std::string_view text_of(const GumboNode& node);

}  // namespace postern::mime::detail
