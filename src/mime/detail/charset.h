// Text in any MIME charset to UTF-8, the only encoding Postern's structured
// messages hold (bodies, decoded headers, file names).
#pragma once

#include <string>
#include <string_view>

namespace postern::mime::detail {

// Converts `bytes` labelled with `charset` (a MIME charset name, RFC 2045
// §5.1; empty when the label is absent) to UTF-8. Never fails:
// - utf-8: invalid sequences become U+FFFD;
// - no label or us-ascii: valid UTF-8 is kept (RFC 6532 raw headers),
//   anything else goes through GMime's 8-bit heuristics (UTF-8, ISO-8859-1);
// - other charsets go through iconv, falling back to the heuristics when the
//   charset is unknown or the text does not convert.
std::string to_utf8(std::string_view bytes, std::string_view charset);

}  // namespace postern::mime::detail
