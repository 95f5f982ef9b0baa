// What a person reading a caught message sees (the test inbox's web page
// and HTTP API): the header decoded, the bodies in UTF-8 and the list of
// attachments, read from the raw RFC 5322 bytes as stored. Lenient where
// intake is strict: a caught message is shown as well as it can be, never
// refused.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"

namespace postern::mime {

struct ReadingHeader {
  std::string name;   // as written
  std::string value;  // unfolded, RFC 2047 decoded, UTF-8, no control characters
};

struct ReadingAttachment {
  std::string id;            // IMAP part number ("2", "1.2"): the key of attachment_content
  std::string filename;      // UTF-8 (RFC 2231 and RFC 2047 decoded); may be empty
  std::string content_type;  // "type/subtype" in lower case, then its parameters
  std::size_t size = 0;      // decoded bytes
  std::string content_id;    // without angle brackets; may be empty
  bool is_inline = false;    // "inline" disposition, or none and a Content-ID
};

struct ReadingView {
  std::vector<ReadingHeader> headers;  // every top-level field, in order
  // Address fields: every mailbox of every field of that name, groups
  // flattened. A field that is not a valid address list is read as GMime
  // reads it; one it cannot read either is one entry whose name is the text.
  std::vector<Mailbox> from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::vector<Mailbox> bcc;
  std::vector<Mailbox> reply_to;
  std::string subject;                         // decoded
  std::optional<SystemTime> date;              // the Date field, when it parses
  std::string message_id;                      // without angle brackets
  std::string text;                            // first text/plain body, UTF-8, LF line ends
  std::string html;                            // first text/html body, UTF-8, not sanitised
  std::vector<ReadingAttachment> attachments;  // every other leaf, in MIME tree order
  // Empty, or why the MIME structure could not be read; text then holds the
  // body section as it is (converted to UTF-8) and there are no attachments.
  std::string problem;
};

// Reads `raw` for display. Never fails; safe on any input (the body is
// parsed by GMime as parse_message parses it, detail/body_reader.h).
// Charsets that iconv does not know, or text that does not convert, fall
// back to UTF-8 if valid, else to GMime's 8-bit guess (detail/charset.h).
ReadingView read_view(std::string_view raw);

// The top-level header fields alone, as read_view gives them in
// ReadingView::headers, without reading the body (IMAP SEARCH HEADER reads
// every message of a mailbox for them: parsing each body, attachments and
// all, cost ~95% of such a search).
std::vector<ReadingHeader> read_headers(std::string_view raw);

// The decoded bytes, content type and file name of attachment `id` (an id
// of read_view(raw).attachments). Errc::not_found for any other id
// (bodies included), Errc::invalid_argument when the MIME structure cannot
// be read.
Result<Attachment> attachment_content(std::string_view raw, std::string_view id);

}  // namespace postern::mime
