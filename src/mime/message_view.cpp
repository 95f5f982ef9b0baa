// The inbox's view of a message: header fields through the lenient
// ENVELOPE address reader and RFC 2047 decoding, bodies through
// detail/body_reader (GMime).
#include "mime/message_view.h"

#include <utility>

#include "core/ascii.h"
#include "mime/date.h"
#include "mime/detail/body_reader.h"
#include "mime/detail/envelope_address.h"
#include "mime/detail/header_section.h"
#include "mime/detail/rfc2047.h"
#include "mime/html_text.h"

namespace postern::mime {
namespace {

using detail::RawField;

const RawField* first(const std::vector<RawField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (ascii_iequals(f.name, name)) return &f;
  }
  return nullptr;
}

std::string readable_addresses(const std::vector<RawField>& fields, std::string_view name) {
  const RawField* field = first(fields, name);
  if (field == nullptr) return {};
  std::string out;
  for (const auto& a : detail::parse_envelope_addresses(detail::unfold(field->value))) {
    if (!a.host) continue;  // group markers
    std::string address = a.mailbox.value_or("") + "@" + *a.host;
    if (!out.empty()) out += ", ";
    if (a.name) {
      out += detail::decode_text(*a.name) + " <" + address + ">";
    } else {
      out += address;
    }
  }
  return out;
}

std::string message_id_of(std::string_view value) {
  std::string v = detail::unfold(value);
  auto open = v.find('<');
  auto close = open == std::string::npos ? std::string::npos : v.find('>', open);
  if (close != std::string::npos) return v.substr(open + 1, close - open - 1);
  return v;
}

}  // namespace

MessageView view_message(std::string_view raw) {
  MessageView view;
  detail::HeaderSection header = detail::scan_header(raw);
  view.from = readable_addresses(header.fields, "From");
  view.to = readable_addresses(header.fields, "To");
  view.cc = readable_addresses(header.fields, "Cc");
  if (const RawField* subject = first(header.fields, "Subject")) {
    view.subject = detail::decode_text(detail::unfold(subject->value));
  }
  if (const RawField* id = first(header.fields, "Message-ID")) {
    view.message_id = message_id_of(id->value);
  }
  if (const RawField* date = first(header.fields, "Date")) {
    view.date = parse_date(detail::unfold(date->value));
  }
  auto body = detail::read_body(raw);
  if (!body) return view;
  for (const auto& attachment : body->attachments) {
    if (!attachment.is_inline) view.has_attachments = true;
  }
  view.text = body->text;
  if (!body->html.empty()) {
    if (!view.text.empty()) view.text += "\n\n";
    view.text += html_to_text(body->html);
  }
  return view;
}

}  // namespace postern::mime
