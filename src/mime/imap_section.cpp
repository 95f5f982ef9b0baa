// BODY[section] on the byte ranges of detail/mime_tree.h.
#include "mime/imap_section.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/ascii.h"
#include "mime/detail/mime_tree.h"
#include "mime/imap_string.h"

namespace postern::mime {
namespace {

using detail::Entity;

struct Target {
  const Entity* entity = nullptr;
  // True when `entity` is a message (the root, or the one a message/rfc822
  // part holds) rather than a body part: only then apply HEADER and TEXT.
  bool message = false;
  bool stayed = false;  // "1" already taken as the entity itself
};

// Follows RFC 3501 §6.4.5 part numbers from the root message.
Target find_part(const Entity& root, const std::vector<std::uint32_t>& path) {
  Target at{&root, true, false};
  for (std::uint32_t n : path) {
    const Entity* e = at.entity;
    if (!at.message && e->is_message() && !e->children.empty()) {
      e = &e->children.front();  // into the message the part holds
      at = {e, true, false};
    }
    if (e->is_multipart()) {
      if (n == 0 || n > e->children.size()) return {};
      at = {&e->children[n - 1], false, false};
    } else if (n == 1 && !at.stayed) {
      // Part 1 of a single-part message is its body; Dovecot answers part
      // 1 of a single part of a multipart with that part itself (once).
      at.message = false;
      at.stayed = true;
    } else {
      return {};
    }
  }
  return at;
}

std::string_view range(std::string_view raw, std::size_t begin, std::size_t end) {
  return raw.substr(begin, end - begin);
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return ascii_iequals(n, name); });
}

std::string header_fields(std::string_view raw, const Entity& e, const Section& section) {
  bool wanted = section.text == SectionText::header_fields;
  std::string out;
  for (const auto& field : e.fields) {
    if (listed(section.fields, field.name) != wanted) continue;
    std::string_view bytes = range(raw, field.begin, field.end);
    out += bytes;
    if (bytes.empty() || bytes.back() != '\n') out += "\r\n";
  }
  // As Dovecot: HEADER.FIELDS always ends with an empty line, .NOT with
  // the header's own blank line, if it has one.
  std::size_t header_end = e.fields.empty() ? e.header_begin : e.fields.back().end;
  out += wanted ? std::string_view("\r\n") : range(raw, header_end, e.body_begin);
  return out;
}

std::string select(std::string_view raw, const Entity& root, const Section& section) {
  Target at = find_part(root, section.part);
  if (at.entity == nullptr) return {};
  const Entity* e = at.entity;
  if (section.text == SectionText::none) {
    if (section.part.empty()) return std::string(raw);
    return std::string(range(raw, e->body_begin, e->body_end));
  }
  if (section.text == SectionText::mime) {
    if (section.part.empty()) return {};
    return std::string(range(raw, e->header_begin, e->body_begin));
  }
  // HEADER, HEADER.FIELDS, TEXT: of the root or of a message/rfc822 part.
  if (!section.part.empty()) {
    if (at.message || !e->is_message() || e->children.empty()) return {};
    e = &e->children.front();
  }
  switch (section.text) {
    case SectionText::header:
      return std::string(range(raw, e->header_begin, e->body_begin));
    case SectionText::text:
      return std::string(range(raw, e->body_begin, e->body_end));
    default:
      return header_fields(raw, *e, section);
  }
}

// RFC 3501 §9 astring, enough for header names: an atom or a quoted string.
bool read_name(std::string_view& s, std::string& out) {
  if (!s.empty() && s.front() == '"') {
    std::size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i];
    }
    if (i >= s.size()) return false;
    s.remove_prefix(i + 1);
    return true;
  }
  std::size_t n = 0;
  while (n < s.size() && s[n] != ' ' && s[n] != ')' && s[n] != '(' &&
         static_cast<unsigned char>(s[n]) > 0x20 && static_cast<unsigned char>(s[n]) < 0x7F) {
    ++n;
  }
  if (n == 0) return false;
  out.assign(s.substr(0, n));
  s.remove_prefix(n);
  return true;
}

Result<std::vector<std::string>> parse_name_list(std::string_view s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')')
    return error_code(Errc::invalid_argument);
  s = s.substr(1, s.size() - 2);
  std::vector<std::string> names;
  while (!s.empty()) {
    std::string name;
    if (!read_name(s, name)) return error_code(Errc::invalid_argument);
    names.push_back(std::move(name));
    if (!s.empty()) {
      if (s.front() != ' ') return error_code(Errc::invalid_argument);
      s.remove_prefix(1);
    }
  }
  if (names.empty()) return error_code(Errc::invalid_argument);
  return names;
}

}  // namespace

Result<Section> parse_section(std::string_view spec) {
  Section out;
  while (!spec.empty() && spec.front() >= '0' && spec.front() <= '9') {
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), n);
    if (ec != std::errc() || n == 0) return error_code(Errc::invalid_argument);
    out.part.push_back(n);
    spec.remove_prefix(static_cast<std::size_t>(end - spec.data()));
    if (spec.empty()) return out;
    if (spec.front() != '.') return error_code(Errc::invalid_argument);
    spec.remove_prefix(1);
    if (spec.empty()) return error_code(Errc::invalid_argument);
  }
  if (spec.empty()) return out;
  std::size_t word_end = std::min(spec.find(' '), spec.size());
  std::string_view word = spec.substr(0, word_end);
  std::string_view rest = spec.substr(word_end);
  if (ascii_iequals(word, "HEADER.FIELDS") || ascii_iequals(word, "HEADER.FIELDS.NOT")) {
    if (rest.size() < 2 || rest.front() != ' ') return error_code(Errc::invalid_argument);
    auto names = parse_name_list(rest.substr(1));
    if (!names) return names.error();
    out.fields = std::move(*names);
    out.text = word.size() == 13 ? SectionText::header_fields : SectionText::header_fields_not;
    return out;
  }
  if (!rest.empty()) return error_code(Errc::invalid_argument);
  if (ascii_iequals(word, "HEADER")) {
    out.text = SectionText::header;
  } else if (ascii_iequals(word, "TEXT")) {
    out.text = SectionText::text;
  } else if (ascii_iequals(word, "MIME") && !out.part.empty()) {
    out.text = SectionText::mime;
  } else {
    return error_code(Errc::invalid_argument);
  }
  return out;
}

std::string section_bytes(std::string_view raw, const Section& section,
                          std::optional<Partial> partial) {
  return MessageSections(raw).bytes(section, partial);
}

MessageSections::MessageSections(std::string_view raw)
    : raw_(raw), root_(std::make_unique<const Entity>(detail::parse_mime_tree(raw))) {}

MessageSections::~MessageSections() = default;

std::string MessageSections::bytes(const Section& section, std::optional<Partial> partial) const {
  std::string bytes = select(raw_, *root_, section);
  if (!partial) return bytes;
  if (partial->start >= bytes.size()) return {};
  std::size_t count = std::min<std::uint64_t>(partial->count, bytes.size() - partial->start);
  return bytes.substr(static_cast<std::size_t>(partial->start), count);
}

std::string section_label(const Section& section) {
  std::string out;
  for (std::uint32_t n : section.part) {
    if (!out.empty()) out += '.';
    out += std::to_string(n);
  }
  const char* keyword = nullptr;
  switch (section.text) {
    case SectionText::none:
      return out;
    case SectionText::header:
      keyword = "HEADER";
      break;
    case SectionText::header_fields:
      keyword = "HEADER.FIELDS";
      break;
    case SectionText::header_fields_not:
      keyword = "HEADER.FIELDS.NOT";
      break;
    case SectionText::text:
      keyword = "TEXT";
      break;
    case SectionText::mime:
      keyword = "MIME";
      break;
  }
  if (!out.empty()) out += '.';
  out += keyword;
  if (section.text == SectionText::header_fields ||
      section.text == SectionText::header_fields_not) {
    out += " (";
    for (std::size_t i = 0; i < section.fields.size(); ++i) {
      if (i > 0) out += ' ';
      std::string name = section.fields[i];
      for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      bool atom = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F &&
               std::string_view("(){ %*\"\\]").find(c) == std::string_view::npos;
      });
      if (atom) {
        out += name;
      } else {
        append_imap_string(out, name);
      }
    }
    out += ')';
  }
  return out;
}

}  // namespace postern::mime
