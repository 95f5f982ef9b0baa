// Byte-level view of a message's header section (RFC 5322 §2.2): where each
// field starts and ends, without decoding anything. Shared by summarize,
// parse_message and strip_bcc, which must agree on where the header ends.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime::detail {

// Physical line limit of RFC 5322 §2.1.1 (998 octets without the CRLF).
inline constexpr std::size_t kMaxLineLength = 998;

struct RawField {
  std::string_view name;   // as written, without the colon or any WSP before it
  std::string_view value;  // everything after the colon up to the field's last line end (folded)
  std::size_t begin = 0;   // offset of the field's first byte in the message
  std::size_t end = 0;     // offset just past the field's last line end
};

struct HeaderSection {
  std::vector<RawField> fields;
  std::size_t body_begin = 0;   // offset of the body (past the blank line), or raw.size()
  bool has_blank_line = false;  // false for a message that is only a header
  // First violation of RFC 5322 §2.2 met in the header, for strict callers;
  // empty when the header is well formed. Scanning never stops early on a
  // problem, so lenient callers (strip_bcc) still see every field.
  std::string problem;
};

// Scans the header section of `raw`. Lines end in CRLF or a bare LF. A line
// that is neither a field ("name:") nor a continuation (leading WSP) is
// recorded as a problem and skipped; the section ends at the first empty
// line or at the end of input. Linear in the size of the header.
HeaderSection scan_header(std::string_view raw);

// Unfolds a field value (RFC 5322 §2.2.3: remove each line break that a
// continuation follows) and trims surrounding WSP.
std::string unfold(std::string_view value);

}  // namespace postern::mime::detail
