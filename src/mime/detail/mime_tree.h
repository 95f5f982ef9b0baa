// The MIME tree of a raw message as byte ranges (RFC 2045, RFC 2046 §5):
// where each entity's header and body lie in the message, for the IMAP
// structure (sizes, line counts) and BODY[section] (exact bytes).
//
// Hand-written rather than read from GMime: GMime's parser keeps no offsets
// of part headers, and a part's content reaches us only after GMime has
// parsed (and may have re-encoded) it, while IMAP counts and serves the
// octets exactly as stored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mime/detail/header_section.h"

namespace postern::mime::detail {

// A header parameter as written (RFC 2045 §5.1): name and value with the
// quotes of a quoted-string removed and its escapes undone.
using HeaderParam = std::pair<std::string, std::string>;

// "type/subtype; params", or a disposition "type; params" (subtype empty).
struct ParamValue {
  std::string type;
  std::string subtype;
  std::vector<HeaderParam> params;
};

// RFC 2045 §5.1 token characters: tspecials, CTLs, space and 8-bit end a token.
bool is_token_char(char c);

// Parses the unfolded value of Content-Type or Content-Disposition; comments
// are skipped, tokens kept as written, malformed parameters left out. A
// Content-Type that cannot be read comes back empty (type and subtype "").
ParamValue parse_param_value(std::string_view value, bool with_subtype);

struct Entity {
  std::size_t header_begin = 0;
  std::size_t body_begin = 0;  // past the blank line (== body_end when none)
  std::size_t body_end = 0;
  std::vector<RawField> fields;  // views into the message's bytes
  ParamValue content_type;       // defaulted when absent (RFC 2045 §5.2, RFC 2046 §5.1.5)
  // multipart/*: its parts; message/rfc822: one child, the message it holds.
  std::vector<Entity> children;

  bool is_multipart() const;
  bool is_message() const;  // message/rfc822
  // False for a message without MIME-Version and Content-Type: its
  // Content-* fields are not read.
  bool mime_fields = true;

  // The first field named `name` (any case); nullptr when absent.
  const RawField* field(std::string_view name) const;
  // The same for a Content-* field, nullptr when mime_fields is false.
  const RawField* mime_field(std::string_view name) const;
};

// Deepest nesting of multiparts and messages that is walked; deeper
// entities are leaves (Dovecot stops at 100 too), which also bounds the
// recursion on hostile input.
inline constexpr int kMaxDepth = 100;

// Parses the whole message in one pass, as Dovecot does: a line that
// starts with "--" and the boundary of an enclosing multipart ends the
// part being read (the innermost multipart's first), so a part whose own
// multipart is left unclosed ends at an outer delimiter. Never fails: a
// multipart without boundary or delimiter line has no children, a missing
// close delimiter ends the last part at the end of the message. Types and
// parameter names keep the case they are written in. Time linear in the
// size, times the number of enclosing multiparts checked per line.
Entity parse_mime_tree(std::string_view raw);

// Number of lines of a body (RFC 3501 body-fld-lines): its LFs, so a last
// line without a line end does not count (as Dovecot counts).
std::size_t count_lines(std::string_view body);

}  // namespace postern::mime::detail
