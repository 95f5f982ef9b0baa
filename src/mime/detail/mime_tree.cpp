// MIME tree on raw bytes: header scanning with scan_header, multipart bodies
// split at their delimiter lines (RFC 2046 §5.1.1).
#include "mime/detail/mime_tree.h"

#include <algorithm>

#include "core/ascii.h"

namespace postern::mime::detail {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// RFC 2045 §5.1 tspecials plus CTLs, space and 8-bit end a token.
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F &&
         std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

class ParamReader {
 public:
  explicit ParamReader(std::string_view s) : s_(s) {}

  // Skips whitespace and (nested) comments (RFC 5322 §3.2.2 CFWS).
  void skip_cfws() {
    while (pos_ < s_.size()) {
      if (is_wsp(s_[pos_]) || s_[pos_] == '\r' || s_[pos_] == '\n') {
        ++pos_;
      } else if (s_[pos_] == '(') {
        int depth = 0;
        while (pos_ < s_.size()) {
          char c = s_[pos_++];
          if (c == '\\' && pos_ < s_.size()) {
            ++pos_;
          } else if (c == '(') {
            ++depth;
          } else if (c == ')' && --depth == 0) {
            break;
          }
        }
      } else {
        return;
      }
    }
  }
  bool take(char c) {
    skip_cfws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string token() {
    skip_cfws();
    std::size_t begin = pos_;
    while (pos_ < s_.size() && is_token_char(s_[pos_])) ++pos_;
    return std::string(s_.substr(begin, pos_ - begin));
  }
  // A token or a quoted-string (quotes removed, quoted-pairs undone).
  std::string value() {
    skip_cfws();
    if (pos_ >= s_.size() || s_[pos_] != '"') {
      // Lenient: 8-bit and other bytes up to ';' as Dovecot takes them.
      std::size_t begin = pos_;
      while (pos_ < s_.size() && s_[pos_] != ';' && !is_wsp(s_[pos_]) && s_[pos_] != '(') ++pos_;
      return std::string(s_.substr(begin, pos_ - begin));
    }
    std::string out;
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (pos_ < s_.size()) ++pos_;
    return out;
  }
  // Moves past the next ';' (recovering from a malformed parameter).
  bool next_param() {
    while (pos_ < s_.size() && s_[pos_] != ';') {
      if (s_[pos_] == '"') {
        value();
      } else {
        ++pos_;
      }
    }
    if (pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string_view line_at(std::string_view raw, std::size_t pos, std::size_t end,
                         std::size_t* next) {
  std::size_t nl = raw.find('\n', pos);
  if (nl == std::string_view::npos || nl >= end) {
    *next = end;
    return raw.substr(pos, end - pos);
  }
  *next = nl + 1;
  std::size_t content_end = nl > pos && raw[nl - 1] == '\r' ? nl - 1 : nl;
  return raw.substr(pos, content_end - pos);
}

// "--boundary" or "--boundary--", then only whitespace (RFC 2046 §5.1.1).
enum class Delimiter { none, part, close };

Delimiter delimiter_kind(std::string_view line, std::string_view boundary) {
  if (line.size() < boundary.size() + 2 || line[0] != '-' || line[1] != '-') return Delimiter::none;
  if (line.substr(2, boundary.size()) != boundary) return Delimiter::none;
  std::string_view rest = line.substr(boundary.size() + 2);
  Delimiter kind = Delimiter::part;
  if (rest.size() >= 2 && rest[0] == '-' && rest[1] == '-') {
    kind = Delimiter::close;
    rest.remove_prefix(2);
  }
  bool blank = std::all_of(rest.begin(), rest.end(), is_wsp);
  return blank ? kind : Delimiter::none;
}

// Where the line break before the delimiter line at `line_begin` starts:
// it belongs to the delimiter (RFC 2046 §5.1.1), not to the part before.
std::size_t before_break(std::string_view raw, std::size_t floor, std::size_t line_begin) {
  std::size_t end = line_begin;
  if (end > floor && raw[end - 1] == '\n') --end;
  if (end > floor && raw[end - 1] == '\r') --end;
  return end;
}

Entity parse_entity(std::string_view raw, std::size_t begin, std::size_t end, bool digest,
                    int depth);

void split_multipart(std::string_view raw, Entity& entity, int depth) {
  std::string boundary;
  for (const auto& [name, value] : entity.content_type.params) {
    if (ascii_iequals(name, "boundary")) boundary = value;
  }
  if (boundary.empty()) return;
  bool digest = ascii_iequals(entity.content_type.subtype, "digest");
  std::size_t pos = entity.body_begin;
  std::size_t part_begin = std::string_view::npos;  // none open yet (preamble)
  while (pos < entity.body_end) {
    std::size_t next = 0;
    std::string_view line = line_at(raw, pos, entity.body_end, &next);
    Delimiter kind = delimiter_kind(line, boundary);
    if (kind != Delimiter::none) {
      if (part_begin != std::string_view::npos) {
        std::size_t part_end = std::max(part_begin, before_break(raw, part_begin, pos));
        Entity child = parse_entity(raw, part_begin, part_end, digest, depth + 1);
        // A nested multipart keeps the line break before the delimiter as
        // the end of its epilogue (as Dovecot counts it in BODY[n]).
        if (child.is_multipart()) child.body_end = pos;
        entity.children.push_back(std::move(child));
      }
      if (kind == Delimiter::close) return;
      part_begin = next;
    }
    pos = next;
  }
  if (part_begin != std::string_view::npos) {
    entity.children.push_back(parse_entity(raw, part_begin, entity.body_end, digest, depth + 1));
  }
}

Entity parse_entity(std::string_view raw, std::size_t begin, std::size_t end, bool digest,
                    int depth) {
  Entity entity;
  entity.header_begin = begin;
  HeaderSection header = scan_header(raw.substr(begin, end - begin));
  entity.body_begin = begin + header.body_begin;
  entity.body_end = end;
  entity.fields = std::move(header.fields);
  for (auto& field : entity.fields) {
    field.begin += begin;
    field.end += begin;
  }
  if (const RawField* type = entity.field("Content-Type")) {
    ParamValue parsed = parse_param_value(unfold(type->value), true);
    if (!parsed.type.empty() && !parsed.subtype.empty()) {
      entity.content_type = std::move(parsed);
      entity.content_type_given = true;
    }
  }
  if (!entity.content_type_given) {
    // RFC 2045 §5.2; in a digest, parts are messages (RFC 2046 §5.1.5).
    entity.content_type = digest ? ParamValue{"message", "rfc822", {}}
                                 : ParamValue{"text", "plain", {{"charset", "us-ascii"}}};
  }
  if (depth >= kMaxDepth) return entity;
  if (entity.is_multipart()) {
    split_multipart(raw, entity, depth);
  } else if (entity.is_message()) {
    entity.children.push_back(
        parse_entity(raw, entity.body_begin, entity.body_end, false, depth + 1));
  }
  return entity;
}

}  // namespace

ParamValue parse_param_value(std::string_view value, bool with_subtype) {
  ParamValue out;
  ParamReader reader(value);
  out.type = reader.token();
  if (with_subtype) {
    if (!reader.take('/')) return {};
    out.subtype = reader.token();
  }
  while (reader.next_param()) {
    std::string name = reader.token();
    if (name.empty() || !reader.take('=')) continue;
    out.params.emplace_back(std::move(name), reader.value());
  }
  return out;
}

bool Entity::is_multipart() const { return ascii_iequals(content_type.type, "multipart"); }

bool Entity::is_message() const {
  return ascii_iequals(content_type.type, "message") &&
         ascii_iequals(content_type.subtype, "rfc822");
}

const RawField* Entity::field(std::string_view name) const {
  auto it = std::find_if(fields.begin(), fields.end(),
                         [&](const RawField& f) { return ascii_iequals(f.name, name); });
  return it == fields.end() ? nullptr : &*it;
}

Entity parse_mime_tree(std::string_view raw) { return parse_entity(raw, 0, raw.size(), false, 0); }

std::size_t count_lines(std::string_view body) {
  return static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
}

}  // namespace postern::mime::detail
