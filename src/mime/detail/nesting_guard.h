// A bound on how deep HTML nests before Gumbo parses it.
//
// The HTML5 tree builder checks its stack of open elements ("has an element
// in scope") for most start tags, so its time grows with the square of the
// nesting: 250 KB of "<div>" took Gumbo 7 s. Browsers cap the depth of the
// tree they build (Chromium at 512); Gumbo has no such setting, so the
// input is bounded here, by hand, in one pass.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::mime::detail {

// Formatted mail nests a few dozen levels deep; twice Chromium's cap leaves
// every real message alone, and 1 MiB of "<div>" then takes well under a
// second.
inline constexpr std::size_t kMaxHtmlNesting = 1000;

// `html` without the start tags that would open an element beyond
// `max_depth` (their content stays; their end tags close nothing). Depth is counted as a tokenizer
// would see it, roughly: start tags of elements that are not void and not
// closed by their next sibling (p, li, td, tr, option, ...) open a level,
// their end tags close one; comments and the content of raw-text elements
// (script, style, textarea, ...) are skipped. Linear in the input.
std::string bound_nesting(std::string_view html, std::size_t max_depth = kMaxHtmlNesting);

}  // namespace postern::mime::detail
