// The text of the HTML of caught mail, for search and previews: what a
// reader sees, without the markup.
#pragma once

#include <string>
#include <string_view>

namespace postern::mime {

// The text of an HTML document as a reader sees it, read from the tree a
// browser would build (Gumbo, within the sanitiser's nesting and memory
// bounds: detail/gumbo_tree.h):
// - script, style, template and the <head> (title included) are left out;
// - character references are decoded (by the parser), &nbsp; is a space;
// - whitespace is collapsed to single spaces, none at the start or end of
//   a line, no line break at the start or end of the text;
// - a block element (p, div, li, tr, headings, ...) starts and ends a line,
//   <br> ends one, table cells are separated by a space.
// Not UTF-8 input has its bad bytes replaced. Empty when the HTML is built
// to be too costly to parse (sanitize_html does not show it either). The
// result is plain text, never to be shown as HTML unescaped.
std::string html_to_text(std::string_view html);

}  // namespace postern::mime
