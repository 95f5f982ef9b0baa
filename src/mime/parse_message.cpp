// Raw message to the structured form, for providers that accept JSON only.
#include "mime/detail/body_reader.h"
#include "mime/detail/header_fields.h"
#include "mime/mime.h"

namespace postern::mime {

Result<Message> parse_message(std::string_view raw) {
  auto header = detail::read_header_fields(raw, detail::CustomHeaders::read);
  if (!header) return error_code(Errc::invalid_argument);
  auto body = detail::read_body(raw);
  if (!body) return body.error();
  Message m;
  m.from = std::move(header->summary.from);
  m.to = std::move(header->summary.to);
  m.cc = std::move(header->summary.cc);
  m.bcc = std::move(header->summary.bcc);
  m.reply_to = std::move(header->reply_to);
  m.subject = std::move(header->summary.subject);
  m.headers = std::move(header->custom);
  m.text = std::move(body->text);
  m.html = std::move(body->html);
  m.attachments = std::move(body->attachments);
  return m;
}

}  // namespace postern::mime
