// Intake's view of a raw message (HTTP message/rfc822, SMTP DATA): sender,
// recipients, subject and Message-ID from the header, checked strictly
// because this faces the network.
#include <string>

#include "core/ascii.h"
#include "core/message_json.h"
#include "mime/detail/address_list.h"
#include "mime/detail/header_fields.h"
#include "mime/detail/header_section.h"
#include "mime/detail/rfc2047.h"
#include "mime/mime.h"

namespace postern::mime {
namespace detail {
namespace {

FieldError fail(std::string code, std::string message, std::string field) {
  return FieldError{std::move(code), std::move(message), std::move(field)};
}

// All mailboxes of every field named `name` (RFC 5322 §3.6.3 allows one
// field; obsolete messages repeat them, §4.5.3).
Result<AddressList, FieldError> addresses(const HeaderSection& section, std::string_view name) {
  AddressList out;
  for (const auto& field : section.fields) {
    if (!ascii_iequals(field.name, name)) continue;
    auto list = parse_address_list(unfold(field.value));
    if (!list) {
      return fail("invalid_address", std::string(name) + ": " + list.error().reason,
                  std::string(name));
    }
    out.has_group = out.has_group || list->has_group;
    for (auto& m : list->mailboxes) out.mailboxes.push_back(std::move(m));
  }
  return out;
}

const RawField* first(const HeaderSection& section, std::string_view name) {
  for (const auto& field : section.fields) {
    if (ascii_iequals(field.name, name)) return &field;
  }
  return nullptr;
}

}  // namespace

std::string message_id_of(std::string_view value) {
  std::string v = unfold(value);
  auto open = v.find('<');
  auto close = open == std::string::npos ? std::string::npos : v.find('>', open);
  if (close != std::string::npos) return v.substr(open + 1, close - open - 1);
  return v.find_first_of(" \t") == std::string::npos ? v : std::string();
}

bool is_custom_header(std::string_view name) {
  return is_allowed_custom_header(name) && !ascii_istarts_with(name, "content-");
}

Result<HeaderFields, FieldError> read_header_fields(std::string_view raw, CustomHeaders custom) {
  HeaderSection section = scan_header(raw);
  if (!section.problem.empty()) return fail("invalid_message", section.problem, "");
  HeaderFields out;
  std::size_t from_count = 0;
  for (const auto& field : section.fields) from_count += ascii_iequals(field.name, "from") ? 1 : 0;
  if (from_count == 0) return fail("missing_header", "the message has no From header", "From");
  if (from_count > 1) {
    return fail("invalid_message", "the message has more than one From header", "From");
  }
  auto from = addresses(section, "From");
  if (!from) return from.error();
  if (from->has_group || from->mailboxes.size() != 1) {
    return fail("invalid_address", "From must hold exactly one mailbox", "From");
  }
  out.summary.from = std::move(from->mailboxes.front());
  for (auto [name, dst] :
       {std::pair{"To", &out.summary.to}, std::pair{"Cc", &out.summary.cc},
        std::pair{"Bcc", &out.summary.bcc}, std::pair{"Reply-To", &out.reply_to}}) {
    auto list = addresses(section, name);
    if (!list) return list.error();
    *dst = std::move(list->mailboxes);
  }
  if (const RawField* subject = first(section, "Subject")) {
    out.summary.subject = decode_text(unfold(subject->value));
  }
  if (const RawField* id = first(section, "Message-ID")) {
    out.summary.message_id = message_id_of(id->value);
  }
  for (const auto& field : section.fields) {
    if (custom == CustomHeaders::read && is_custom_header(field.name)) {
      out.custom.emplace_back(std::string(field.name), decode_text(unfold(field.value)));
    }
  }
  return out;
}

}  // namespace detail

Result<RawSummary, FieldError> summarize(std::string_view raw) {
  auto fields = detail::read_header_fields(raw, detail::CustomHeaders::skip);
  if (!fields) return fields.error();
  return std::move(fields->summary);
}

}  // namespace postern::mime
