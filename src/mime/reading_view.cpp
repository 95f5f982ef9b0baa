// The reading view of a caught message: the header read field by field
// (detail/header_section), the body by the walk parse_message uses
// (detail/body_reader).
#include "mime/reading_view.h"

#include <algorithm>

#include "core/ascii.h"
#include "core/utf8.h"
#include "mime/date.h"
#include "mime/detail/address_list.h"
#include "mime/detail/body_builder.h"
#include "mime/detail/body_reader.h"
#include "mime/detail/charset.h"
#include "mime/detail/gobject_ptr.h"
#include "mime/detail/header_fields.h"
#include "mime/detail/header_section.h"
#include "mime/detail/rfc2047.h"

namespace postern::mime {
namespace {

using namespace detail;

// GMime's lenient reading of an address list, for the fields that intake's
// strict parser refuses (caught mail is shown whatever its sender wrote).
// Groups are flattened iteratively.
std::vector<Mailbox> lenient_addresses(const std::string& value) {
  std::vector<Mailbox> out;
  InternetAddressList* parsed = internet_address_list_parse(nullptr, value.c_str());
  if (parsed == nullptr) return out;
  auto list = adopt(parsed);
  std::vector<InternetAddressList*> stack{list.get()};
  while (!stack.empty()) {
    InternetAddressList* current = stack.back();
    stack.pop_back();
    for (int i = internet_address_list_length(current) - 1; i >= 0; --i) {
      InternetAddress* address = internet_address_list_get_address(current, i);
      if (INTERNET_ADDRESS_IS_GROUP(address)) {
        stack.push_back(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)));
        continue;
      }
      const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
      out.push_back(
          {valid_utf8(to_string(internet_address_get_name(address))), valid_utf8(to_string(addr))});
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// GMime copies the charset names of encoded-words onto the stack and
// parses comments recursively (see detail/body_reader.cpp): a field longer
// than any real one never reaches it, and is shown as text.
constexpr std::size_t kMaxLenientField = 8 * 1024;

void add_addresses(std::vector<Mailbox>& out, std::string_view raw_value) {
  std::string value = unfold(raw_value);
  if (auto strict = parse_address_list(value)) {
    for (auto& m : strict->mailboxes) out.push_back(std::move(m));
    return;
  }
  auto lenient =
      value.size() <= kMaxLenientField ? lenient_addresses(value) : std::vector<Mailbox>{};
  if (lenient.empty()) {
    out.push_back({decode_text(value), ""});
    return;
  }
  for (auto& m : lenient) out.push_back(std::move(m));
}

std::vector<Mailbox>* address_field(ReadingView& view, std::string_view name) {
  if (ascii_iequals(name, "from")) return &view.from;
  if (ascii_iequals(name, "to")) return &view.to;
  if (ascii_iequals(name, "cc")) return &view.cc;
  if (ascii_iequals(name, "bcc")) return &view.bcc;
  if (ascii_iequals(name, "reply-to")) return &view.reply_to;
  return nullptr;
}

ReadingHeader reading_header(const RawField& field) {
  return {valid_utf8(field.name), decode_text(unfold(field.value))};
}

void read_header(ReadingView& view, const HeaderSection& section) {
  bool have_subject = false;
  bool have_date = false;
  bool have_id = false;
  for (const auto& field : section.fields) {
    auto header = reading_header(field);
    const std::string& value = header.value;
    if (auto* list = address_field(view, field.name)) {
      add_addresses(*list, field.value);
    } else if (ascii_iequals(field.name, "subject") && !have_subject) {
      view.subject = value;
      have_subject = true;
    } else if (ascii_iequals(field.name, "date") && !have_date) {
      view.date = parse_date(unfold(field.value));
      have_date = true;
    } else if (ascii_iequals(field.name, "message-id") && !have_id) {
      view.message_id = valid_utf8(message_id_of(field.value));
      have_id = true;
    }
    view.headers.push_back(std::move(header));
  }
}

ReadingAttachment listed(const Leaf& leaf) {
  const Attachment& a = leaf.part;
  return {leaf.id,
          a.filename,
          valid_utf8(a.content_type),
          a.content.size(),
          valid_utf8(a.content_id),
          a.is_inline};
}

}  // namespace

std::vector<ReadingHeader> read_headers(std::string_view raw) {
  std::vector<ReadingHeader> out;
  for (const auto& field : scan_header(raw).fields) out.push_back(reading_header(field));
  return out;
}

ReadingView read_view(std::string_view raw) {
  ReadingView view;
  HeaderSection section = scan_header(raw);
  read_header(view, section);
  auto leaves = read_leaves(raw);
  if (!leaves) {
    view.problem = "the MIME structure of this message cannot be read";
    view.text = normalize_newlines(to_utf8(raw.substr(section.body_begin), ""));
    return view;
  }
  for (auto& leaf : *leaves) {
    switch (leaf.role) {
      case LeafRole::text:
        view.text = std::move(leaf.part.content);
        break;
      case LeafRole::html:
        view.html = std::move(leaf.part.content);
        break;
      case LeafRole::attachment:
        view.attachments.push_back(listed(leaf));
        break;
    }
  }
  return view;
}

Result<Attachment> attachment_content(std::string_view raw, std::string_view id) {
  auto leaves = read_leaves(raw);
  if (!leaves) return leaves.error();
  for (auto& leaf : *leaves) {
    if (leaf.role == LeafRole::attachment && leaf.id == id) return std::move(leaf.part);
  }
  return error_code(Errc::not_found);
}

}  // namespace postern::mime
