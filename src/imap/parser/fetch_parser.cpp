// FETCH arguments (RFC 3501 §6.4.5): a sequence set, then a macro (ALL,
// FAST, FULL), one fetch-att, or a parenthesised list of them; sections
// BODY[1.2.HEADER.FIELDS (From To)]<0.100> among them.
#include "core/ascii.h"
#include "core/decimal.h"
#include "imap/parser/rules.h"

namespace postern::imap::detail {
namespace {

using Kind = FetchItem::Kind;

struct ItemEntry {
  std::string_view name;
  Kind kind;
};

constexpr ItemEntry kItems[] = {
    {"ENVELOPE", Kind::envelope},
    {"FLAGS", Kind::flags},
    {"INTERNALDATE", Kind::internal_date},
    {"RFC822", Kind::rfc822},
    {"RFC822.HEADER", Kind::rfc822_header},
    {"RFC822.SIZE", Kind::rfc822_size},
    {"RFC822.TEXT", Kind::rfc822_text},
    {"BODY", Kind::body},
    {"BODYSTRUCTURE", Kind::body_structure},
    {"UID", Kind::uid},
};

bool is_item_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

FetchItem item(Kind kind) {
  FetchItem i;
  i.kind = kind;
  return i;
}

// The macros of RFC 3501 §6.4.5.
bool parse_macro(Cursor& cursor, std::vector<FetchItem>& items) {
  bool all = cursor.keyword("ALL");
  bool full = !all && cursor.keyword("FULL");
  if (!all && !full && !cursor.keyword("FAST")) return false;
  for (auto kind : {Kind::flags, Kind::internal_date, Kind::rfc822_size})
    items.push_back(item(kind));
  if (all || full) items.push_back(item(Kind::envelope));
  if (full) items.push_back(item(Kind::body));
  return true;
}

// "(" header-fld-name *(SP header-fld-name) ")"
std::vector<std::string> parse_header_list(Cursor& cursor) {
  cursor.space("Missing header field list");
  cursor.expect('(', "Invalid header field list");
  std::vector<std::string> fields;
  do {
    fields.push_back(cursor.header_field_name());
  } while (cursor.try_space());
  cursor.expect(')', "Invalid header field list");
  return fields;
}

// section-spec, without its brackets: [part *("." part)] ["." text] with
// text one of HEADER, HEADER.FIELDS [.NOT], TEXT and (after a part) MIME.
Section parse_section(Cursor& cursor) {
  Section section;
  auto spec = cursor.take_while(is_item_name_char);
  while (!spec.empty()) {
    auto dot = spec.find('.');
    auto component = spec.substr(0, dot);
    if (!is_digits(component)) break;
    auto n = parse_decimal<std::uint32_t>(component);
    if (!n || *n == 0) refuse("Invalid section part");
    section.part.push_back(*n);
    if (dot == std::string_view::npos) {
      spec = {};
      break;
    }
    spec.remove_prefix(dot + 1);
    if (spec.empty()) refuse("Invalid section");
  }
  using Text = Section::Text;
  if (spec.empty())
    section.text = Text::all;
  else if (ascii_iequals(spec, "HEADER"))
    section.text = Text::header;
  else if (ascii_iequals(spec, "HEADER.FIELDS"))
    section.text = Text::header_fields;
  else if (ascii_iequals(spec, "HEADER.FIELDS.NOT"))
    section.text = Text::header_fields_not;
  else if (ascii_iequals(spec, "TEXT"))
    section.text = Text::text;
  else if (ascii_iequals(spec, "MIME") && !section.part.empty())
    section.text = Text::mime;
  else
    refuse("Invalid section");
  if (section.text == Text::header_fields || section.text == Text::header_fields_not) {
    section.fields = parse_header_list(cursor);
  }
  return section;
}

FetchItem parse_body_section(Cursor& cursor, bool peek) {
  FetchItem i = item(Kind::body_section);
  i.peek = peek;
  cursor.expect('[', "Invalid fetch item");
  i.section = parse_section(cursor);
  cursor.expect(']', "Missing ] after section");
  if (cursor.consume('<')) {
    Partial partial;
    partial.start = cursor.number("partial range");
    cursor.expect('.', "Invalid partial range");
    partial.count = cursor.nz_number("partial range");
    cursor.expect('>', "Invalid partial range");
    i.partial = partial;
  }
  return i;
}

FetchItem parse_item(Cursor& cursor) {
  auto name = cursor.take_while(is_item_name_char);
  if (name.empty()) refuse(cursor.at_end() ? "Missing fetch items" : "Invalid fetch item");
  if (ascii_iequals(name, "BODY.PEEK")) return parse_body_section(cursor, true);
  if (ascii_iequals(name, "BODY") && cursor.peek() == '[') return parse_body_section(cursor, false);
  for (const auto& e : kItems) {
    if (ascii_iequals(name, e.name)) return item(e.kind);
  }
  refuse("Unknown fetch item " + ascii_lowered(name.substr(0, kEchoedName)));
}

}  // namespace

Fetch parse_fetch(Cursor& cursor) {
  Fetch fetch;
  cursor.space("Missing sequence set");
  fetch.set = cursor.sequence_set();
  cursor.space("Missing fetch items");
  if (cursor.consume('(')) {
    do {
      fetch.items.push_back(parse_item(cursor));
    } while (cursor.try_space());
    cursor.expect(')', "Missing ) after fetch items");
  } else if (!parse_macro(cursor, fetch.items)) {
    fetch.items.push_back(parse_item(cursor));
  }
  return fetch;
}

}  // namespace postern::imap::detail
