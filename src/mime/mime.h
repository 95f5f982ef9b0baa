// RFC 5322 / MIME on GMime: building the message a structured send becomes,
// and reading raw messages (HTTP message/rfc822, SMTP DATA) back into the
// envelope and the structured form that JSON-only providers need.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/field_error.h"
#include "core/message.h"

namespace postern::mime {

// Initialises GMime for the process. Call once from main before any other
// function here, and shutdown() once at exit. (GMime keeps process-wide
// state of its own; nothing of Postern's is global.)
void init();
void shutdown();

struct BuildOptions {
  std::string message_id;  // without angle brackets, e.g. "0abc...@postern"
  SystemTime date;         // the Date header
  HeaderList extra_headers;  // written after the message's own, e.g. X-Postern-Id
};

// Builds the complete message with CRLF line ends: From, To, Cc, Reply-To,
// Subject (RFC 2047 encoded when not ASCII), Date, Message-ID,
// MIME-Version, custom headers, then the body: text and html as
// multipart/alternative, inline parts under multipart/related, attachments
// under multipart/mixed; text as quoted-printable when needed, attachments
// base64. Bcc is never written. Deterministic: the same input and options
// give the same bytes (boundaries derive from message_id).
std::string build_message(const Message& message, const BuildOptions& options);

// What intake needs from a raw message: sender and recipients from the
// headers, and the subject decoded to UTF-8.
struct RawSummary {
  Mailbox from;
  std::vector<Mailbox> to;
  std::vector<Mailbox> cc;
  std::vector<Mailbox> bcc;
  std::string subject;
  std::string message_id;  // without angle brackets; empty when absent
};

// Reads the header of a raw message. Errors (FieldError.field names the
// header): no header/body separation, missing or invalid From, invalid
// addresses in To/Cc/Bcc.
Result<RawSummary, FieldError> summarize(std::string_view raw);

// The message without its Bcc header fields (RFC 5322 §3.6.3: Bcc
// recipients must not see each other), other bytes unchanged.
std::string strip_bcc(std::string_view raw);

// Parses a raw message into the structured form, for providers that accept
// no raw MIME (SendGrid, Postmark): text and html bodies decoded to UTF-8,
// attachments and inline parts with their content ids, and every header that
// is not structural kept in `headers`. Errors: Errc::invalid_argument when
// the message cannot be parsed.
Result<Message> parse_message(std::string_view raw);

}  // namespace postern::mime
