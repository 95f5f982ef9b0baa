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
  std::string message_id;    // without angle brackets, e.g. "0abc...@postern"
  SystemTime date;           // the Date header
  HeaderList extra_headers;  // written after the message's own, e.g. X-Postern-Id
};

// Builds the complete message with CRLF line ends: From, To, Cc, Reply-To,
// Subject (RFC 2047 encoded when not ASCII), Date, Message-ID,
// MIME-Version, custom headers, then the body: text and html as
// multipart/alternative, inline parts under multipart/related, attachments
// under multipart/mixed; text as quoted-printable when needed, attachments
// base64. Bcc is never written. Deterministic: the same input and options
// give the same bytes (boundaries derive from message_id).
// Details callers may rely on:
// - Requires: a validated message (message_from_json). Even so, a CR or LF
//   in a value can never start a header field of its own.
// - Custom headers (message.headers, then options.extra_headers) are written
//   only when is_allowed_custom_header(name) and the name is not Content-*
//   (the MIME structure owns those); others are skipped.
// - Header lines fold at 76 octets where whitespace allows, never over 998.
// - Text line ends are written as CRLF whatever the input used. A text-only
//   message whose text has no final line break ends without CRLF (allowed
//   by RFC 5322 §3.5; SMTP senders terminate it before ".").
// - Inline attachments go under multipart/related only when there is html;
//   otherwise they sit in multipart/mixed with disposition inline.
// - multipart/* and message/* attachments cannot be base64 (RFC 2046 §5):
//   message/rfc822 is sent 7bit/8bit when its lines allow, anything else
//   of those types as application/octet-stream.
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
// Codes: "invalid_message" (field "" for a malformed header section: a line
// that is not a field, a line over 998 octets, a NUL; field "From" for two
// From fields), "missing_header" (no From), "invalid_address" (From not
// exactly one valid mailbox, or a bad address in To/Cc/Bcc/Reply-To; every
// address must pass validate_address; groups such as
// "undisclosed-recipients:;" are allowed and add their members).
// A header with no blank line after it is a message with an empty body.
// Reads only the header section, in time linear in its size; safe on any
// input. Thread-safe after init().
Result<RawSummary, FieldError> summarize(std::string_view raw);

// The message without its Bcc header fields (RFC 5322 §3.6.3: Bcc
// recipients must not see each other), other bytes unchanged. Works on the
// bytes: a field is removed with its continuation lines, its name matched in
// any case ("BCC:", "bcc :"), anywhere before the first empty line.
// Resent-Bcc is left alone.
std::string strip_bcc(std::string_view raw);
// The same, appended to `out`: a prefix and the message in one buffer,
// without a copy of the message in between (big messages).
void append_without_bcc(std::string& out, std::string_view raw);
// The same in place, with `header` (e.g. a trace field) put in front: the
// message is not copied, only moved within its buffer (intake of big
// messages, which arrive in a buffer of their own).
void strip_bcc_and_prepend(std::string& raw, std::string_view header);

// Parses a raw message into the structured form, for providers that accept
// no raw MIME (SendGrid, Postmark): text and html bodies decoded to UTF-8,
// attachments and inline parts with their content ids, and every header that
// is not structural kept in `headers`. Errors: Errc::invalid_argument when
// the message cannot be parsed.
// Details callers may rely on:
// - The header is checked exactly as summarize checks it (and Reply-To too),
//   so parse_message accepts what intake accepted.
// - from/to/cc/bcc/reply_to come from the header fields (bcc from a Bcc
//   field, if the raw message still has one).
// - text and html have LF line ends; the first text/plain and text/html
//   parts that are not attachments are the bodies, every other leaf part is
//   an attachment, in MIME tree order (so build_message's inline parts come
//   back before its other attachments).
// - headers keeps fields for which is_allowed_custom_header holds and that
//   are not Content-*, in order, with names as written and values unfolded
//   and RFC 2047-decoded.
// - tags and metadata are not part of MIME and come back empty.
// Round trip: parse_message(build_message(m, o)) == m for a validated m with
// empty bcc/tags/metadata, LF text, no extra_headers and inline parts listed
// before other attachments.
Result<Message> parse_message(std::string_view raw);

}  // namespace postern::mime
