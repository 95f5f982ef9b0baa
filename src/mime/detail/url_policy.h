// Which URLs sanitised HTML may keep (mime/html_sanitize.h), shared by the
// HTML attributes and CSS url(). A URL is judged in the form a browser
// reads it, and written back in that same form, so that what was checked
// is what loads.
#pragma once

#include <string>
#include <string_view>

#include "mime/html_sanitize.h"

namespace postern::mime::detail {

// As the WHATWG URL parser sees it: C0 controls and spaces trimmed from
// both ends, every tab, CR and LF removed (entities are already decoded by
// the HTML parser, escapes by the CSS reader).
std::string browser_url(std::string_view url);

enum class UrlVerdict {
  keep,     // write `url`
  blocked,  // remote, and remote content was not asked for: count it
  drop,     // never allowed
};

struct UrlDecision {
  UrlVerdict verdict = UrlVerdict::drop;
  std::string url;  // what to write when kept
};

// A resource loaded by itself (img src, background, CSS url()): cid: through
// options.cid_url, data:image/ kept, http(s): and scheme-relative "//" kept
// only with allow_remote (http: as https:), everything else dropped.
UrlDecision resource_url(std::string_view url, const SanitizeOptions& options);

// A link the reader may follow (a href): http(s):, mailto:, tel:, a
// "#fragment", and cid: (an attachment) through options.cid_url.
UrlDecision link_url(std::string_view url, const SanitizeOptions& options);

}  // namespace postern::mime::detail
