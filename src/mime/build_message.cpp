// Structured message to RFC 5322 bytes (raw-MIME providers, GET .../raw):
// the top-level header written here, the MIME body by detail/body_builder.
#include "mime/date.h"
#include "mime/detail/body_builder.h"
#include "mime/detail/header_fields.h"
#include "mime/detail/header_writer.h"
#include "mime/mime.h"

namespace postern::mime {

std::string build_message(const Message& message, const BuildOptions& options) {
  using namespace detail;
  std::string out;
  // RFC 5322 §3.6: origination date and originator are required, the rest
  // optional; Bcc is never written (§3.6.3, the recipients stay blind).
  auto mailboxes = [&](std::string_view name, const std::vector<Mailbox>& list) {
    if (!list.empty()) append_field(out, name, format_mailbox_list(list, first_line_room(name)));
  };
  mailboxes("From", {message.from});
  mailboxes("To", message.to);
  mailboxes("Cc", message.cc);
  mailboxes("Reply-To", message.reply_to);
  if (!message.subject.empty()) {
    append_field(out, "Subject", encode_unstructured(message.subject, first_line_room("Subject")));
  }
  append_field(out, "Date", format_date(options.date));
  if (!options.message_id.empty()) append_field(out, "Message-ID", "<" + options.message_id + ">");
  append_field(out, "MIME-Version", "1.0");  // RFC 2045 §4
  for (const HeaderList* list : {&message.headers, &options.extra_headers}) {
    for (const auto& [name, value] : *list) {
      if (is_custom_header(name)) {
        append_field(out, name, encode_unstructured(value, first_line_room(name)));
      }
    }
  }
  out += build_body(message, options.message_id);
  return out;
}

}  // namespace postern::mime
