// A stored message as people read it in a mailbox list and as search sees
// it: decoded addresses and subject, the date, whether it carries
// attachments, and the text of its bodies. Lenient where intake's
// summarize (mime.h) is strict: a caught message is shown however
// malformed it is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace postern::mime {

struct MessageView {
  std::string from;                // "Name <a@b>" or "a@b", names RFC 2047-decoded to UTF-8
  std::string to;                  // the same, comma-separated
  std::string cc;                  // the same, comma-separated
  std::string subject;             // RFC 2047-decoded, UTF-8, unfolded
  std::string message_id;          // without <>; empty when absent
  std::optional<SystemTime> date;  // the Date header, when it parses
  // A part that is not a body: an "attachment" disposition, a file name,
  // or a non-text leaf that is not inline.
  bool has_attachments = false;
  // The first text/plain and text/html bodies decoded to UTF-8 (LF line
  // ends), the HTML reduced to its text, separated by a blank line.
  std::string text;
};

// Never fails; needs init() (the bodies are decoded with GMime).
MessageView view_message(std::string_view raw);

// The text of an HTML document as a reader sees it: tags removed, script
// and style contents dropped, whitespace collapsed, line breaks where
// blocks and <br> are, the common character references decoded. Hand-written because no HTML parser
// is a dependency; the result is only for searching and previews, never shown as HTML.
std::string html_to_text(std::string_view html);

}  // namespace postern::mime
