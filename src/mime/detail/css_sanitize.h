// CSS of caught mail (<style> elements and style="" attributes) cleaned for
// preview, for mime/html_sanitize.h.
//
// Hand-written: Debian 12 has no maintained CSS parser library (libcroco is
// abandoned, libcss-parser speaks CSS1). The CSP sent with the HTML
// (style-src without hosts, img-src 'self' data:, font-src 'none') is the
// second wall behind it, so this is an allow-list where it matters (URLs)
// and a deny-list of the dangerous functions elsewhere.
//
// How: the CSS is first rewritten into a canonical form (comments out,
// escapes of letters and digits decoded, every other escape written as
// "\hex ", strings closed, "<" never left outside an escape), then judged
// and written in that form, so what the browser reads is what was judged;
// no "</style" can appear in the output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mime/html_sanitize.h"

namespace postern::mime::detail {

// A declaration list ("color: red; background: url(cid:x)"). A declaration
// goes when its name is not an identifier (or is behavior, -moz-binding),
// when its value holds expression(), javascript:/vbscript:, a function that
// loads an image other than url() (image-set, image, src, element,
// cross-fade, paint), or a url() that url_policy refuses; a remote url()
// refused only because remote content was not asked for adds one to
// `blocked`. Kept url()s are written as url("...") with the policy's URL.
std::string sanitize_declarations(std::string_view css, const SanitizeOptions& options,
                                  std::size_t& blocked);

// A style sheet: rules keep their selectors and sanitised declarations;
// @media, @supports and @keyframes keep their sanitised content; every
// other at-rule (@import, @font-face, @charset, @namespace, @page, ...) goes.
std::string sanitize_style_sheet(std::string_view css, const SanitizeOptions& options,
                                 std::size_t& blocked);

}  // namespace postern::mime::detail
