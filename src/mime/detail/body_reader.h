// Reading the MIME tree of a raw message into text, html and attachments,
// for parse_message (providers that take JSON, not MIME) and the reading
// view of caught mail (mime/reading_view.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/message.h"

namespace postern::mime::detail {

struct BodyContent {
  std::string text;  // UTF-8, LF line ends
  std::string html;  // UTF-8, LF line ends
  std::vector<Attachment> attachments;
};

enum class LeafRole { text, html, attachment };

// One leaf part of the MIME tree.
struct Leaf {
  std::string id;  // IMAP part number (RFC 3501 §6.4.5): "1", "2.1", ...
  LeafRole role;
  // The part as an attachment: type, file name, content id, disposition;
  // for the text and html bodies, content is the text in UTF-8 (LF).
  Attachment part;
};

// Parses `raw` with GMime and walks its parts depth-first:
// - the first text/plain and the first text/html leaf that is not an
//   attachment (no "attachment" disposition, no file name, no Content-ID)
//   are the bodies, decoded from their transfer encoding and charset;
// - every other leaf is an attachment with its decoded bytes; an embedded
//   message/rfc822 is one attachment holding the message (CRLF);
// - is_inline is the "inline" disposition, or no disposition and a Content-ID.
// The walk is iterative; GMime itself stops nesting at 1024 levels.
// Error: Errc::invalid_argument when GMime cannot parse the message, or when
// it holds a charset name over 256 KiB in an encoded-word or RFC 2231
// parameter (GMime would copy it onto the stack).
Result<std::vector<Leaf>> read_leaves(std::string_view raw);

// read_leaves gathered into the bodies and the attachments.
Result<BodyContent> read_body(std::string_view raw);

}  // namespace postern::mime::detail
