// fetch_item_name: see fetch_item_name.h.
#include "imap/parser/fetch_item_name.h"

#include "imap/parser/chars.h"

namespace postern::imap {
namespace {

std::string_view simple_name(FetchItem::Kind kind) {
  using Kind = FetchItem::Kind;
  switch (kind) {
    case Kind::envelope:
      return "ENVELOPE";
    case Kind::flags:
      return "FLAGS";
    case Kind::internal_date:
      return "INTERNALDATE";
    case Kind::rfc822:
      return "RFC822";
    case Kind::rfc822_header:
      return "RFC822.HEADER";
    case Kind::rfc822_size:
      return "RFC822.SIZE";
    case Kind::rfc822_text:
      return "RFC822.TEXT";
    case Kind::body:
      return "BODY";
    case Kind::body_structure:
      return "BODYSTRUCTURE";
    case Kind::uid:
      return "UID";
    case Kind::body_section:
      break;
  }
  return "BODY";
}

std::string_view text_name(Section::Text text) {
  switch (text) {
    case Section::Text::all:
      return "";
    case Section::Text::header:
      return "HEADER";
    case Section::Text::header_fields:
      return "HEADER.FIELDS";
    case Section::Text::header_fields_not:
      return "HEADER.FIELDS.NOT";
    case Section::Text::text:
      return "TEXT";
    case Section::Text::mime:
      return "MIME";
  }
  return "";
}

// A field name as an atom when it is one, else quoted (a field name is
// printable ASCII without ':', so a quoted string can always hold it).
std::string astring(const std::string& s) {
  bool atom = !s.empty();
  for (char c : s) atom = atom && is_astring_char(c);
  if (atom) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string fetch_item_name(const FetchItem& item) {
  if (item.kind != FetchItem::Kind::body_section) return std::string(simple_name(item.kind));
  const auto& section = item.section;
  std::string out = "BODY[";
  for (auto n : section.part) out += std::to_string(n) + ".";
  auto text = text_name(section.text);
  if (text.empty() && !section.part.empty()) out.pop_back();  // "1.2", not "1.2."
  out += text;
  if (!section.fields.empty()) {
    out += " (";
    for (const auto& f : section.fields) out += astring(f) + " ";
    out.back() = ')';
  }
  out += "]";
  if (item.partial) out += "<" + std::to_string(item.partial->start) + ">";
  return out;
}

}  // namespace postern::imap
