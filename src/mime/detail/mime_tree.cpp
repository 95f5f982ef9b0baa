// MIME tree on raw bytes: header scanning with scan_header, multipart bodies
// split at their delimiter lines (RFC 2046 §5.1.1).
#include "mime/detail/mime_tree.h"

#include <algorithm>
#include <optional>

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
  bool at_end() {
    skip_cfws();
    return pos_ >= s_.size();
  }
  // True at the end or at the ';' that opens the parameters.
  bool at_params() {
    skip_cfws();
    return pos_ >= s_.size() || s_[pos_] == ';';
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

// Where a part ends: the line that ended it (a delimiter line of one of the
// multiparts it is inside), or the end of the message.
struct Stop {
  std::size_t line = 0;                        // offset of the delimiter line, or raw.size()
  std::size_t level = std::string_view::npos;  // index in the boundary stack; npos: end
  bool close = false;                          // "--boundary--"
};

// Delimiter lines are matched as Dovecot matches them: a line that starts
// with "--" and the boundary of an enclosing multipart, the innermost
// first, whatever follows ("--b--" closes). RFC 2046 §5.1.1 wants only
// whitespace after the boundary; mail that breaks that rule is read as
// the most used server reads it.
class LineReader {
 public:
  LineReader(std::string_view raw, std::vector<std::string>& boundaries)
      : raw_(raw), boundaries_(boundaries) {}

  // The first delimiter line at or after `pos` that starts a line.
  Stop next_stop(std::size_t pos) const {
    while (pos < raw_.size()) {
      std::size_t nl = raw_.find('\n', pos);
      std::size_t next = nl == std::string_view::npos ? raw_.size() : nl + 1;
      if (auto stop = delimiter_at(pos)) return *stop;
      pos = next;
    }
    return Stop{raw_.size()};
  }

  std::optional<Stop> delimiter_at(std::size_t pos) const {
    if (raw_.size() - pos < 2 || raw_[pos] != '-' || raw_[pos + 1] != '-') return std::nullopt;
    std::string_view rest = raw_.substr(pos + 2);
    for (std::size_t level = boundaries_.size(); level-- > 0;) {
      const std::string& b = boundaries_[level];
      if (rest.substr(0, b.size()) == b) {
        std::string_view after = rest.substr(b.size());
        return Stop{pos, level, after.substr(0, 2) == "--"};
      }
    }
    return std::nullopt;
  }

  std::string_view raw() const { return raw_; }
  std::vector<std::string>& boundaries() { return boundaries_; }

 private:
  std::string_view raw_;
  std::vector<std::string>& boundaries_;
};

// Where the line break before the delimiter line at `line_begin` starts:
// it belongs to the delimiter (RFC 2046 §5.1.1), not to the part before.
std::size_t before_break(std::string_view raw, std::size_t floor, std::size_t line_begin) {
  std::size_t end = line_begin;
  if (end > floor && raw[end - 1] == '\n') --end;
  if (end > floor && raw[end - 1] == '\r') --end;
  return end;
}

// Keeps a message's last parts inside the message/rfc822 part holding it.
void clip(Entity& entity, std::size_t end) {
  for (Entity* e = &entity; e != nullptr; e = e->children.empty() ? nullptr : &e->children.back()) {
    e->body_end = std::min(e->body_end, end);
    e->body_begin = std::min(e->body_begin, e->body_end);
  }
}

struct Parsed {
  Entity entity;
  Stop stop;
};

Parsed parse_entity(LineReader& reader, std::size_t begin, bool digest, bool message, int depth);

// The parts of a multipart whose body starts at entity.body_begin. Sets
// *closed_end past the line end of its close delimiter, if it has one.
Stop read_multipart(LineReader& reader, Entity& entity, const std::string& boundary, int depth,
                    std::size_t* closed_end) {
  auto& stack = reader.boundaries();
  stack.push_back(boundary);
  std::size_t mine = stack.size() - 1;
  bool digest = ascii_iequals(entity.content_type.subtype, "digest");
  Stop stop = reader.next_stop(entity.body_begin);  // the preamble ends here
  while (stop.level == mine && !stop.close) {
    std::size_t nl = reader.raw().find('\n', stop.line);
    std::size_t part_begin = nl == std::string_view::npos ? reader.raw().size() : nl + 1;
    Parsed part = parse_entity(reader, part_begin, digest, false, depth + 1);
    entity.children.push_back(std::move(part.entity));
    stop = part.stop;
  }
  if (stop.level == mine) {
    // Closed: the epilogue runs to a delimiter of an enclosing multipart.
    std::size_t nl = reader.raw().find('\n', stop.line);
    *closed_end = nl == std::string_view::npos ? reader.raw().size() : nl + 1;
    stack.pop_back();
    stop = reader.next_stop(*closed_end);
  } else {
    stack.pop_back();
  }
  return stop;
}

Parsed parse_entity(LineReader& reader, std::size_t begin, bool digest, bool message, int depth) {
  std::string_view raw = reader.raw();
  Entity entity;
  entity.header_begin = begin;
  // The header ends at its blank line, or at a delimiter line before it.
  Stop header_stop = reader.next_stop(begin);
  HeaderSection header = scan_header(raw.substr(begin, header_stop.line - begin));
  entity.body_begin = begin + header.body_begin;
  entity.fields = std::move(header.fields);
  for (auto& field : entity.fields) {
    field.begin += begin;
    field.end += begin;
  }
  // A message that says neither MIME-Version nor Content-Type is not MIME
  // (RFC 2045 §4): its Content-* fields mean nothing, as Dovecot reads it.
  entity.mime_fields = !message || entity.field("MIME-Version") != nullptr ||
                       entity.field("Content-Type") != nullptr;
  if (const RawField* type = entity.field("Content-Type")) {
    // An unreadable value leaves type and subtype empty (Dovecot shows "" "").
    entity.content_type = parse_param_value(unfold(type->value), true);
  } else {
    // RFC 2045 §5.2; in a digest, parts are messages (RFC 2046 §5.1.5).
    entity.content_type = digest ? ParamValue{"message", "rfc822", {}}
                                 : ParamValue{"text", "plain", {{"charset", "us-ascii"}}};
  }
  std::string boundary;
  for (const auto& [name, value] : entity.content_type.params) {
    if (ascii_iequals(name, "boundary")) boundary = value;
  }
  Stop stop;
  if (depth < kMaxDepth && entity.is_multipart() && !boundary.empty()) {
    std::size_t closed_end = 0;
    stop = read_multipart(reader, entity, boundary, depth, &closed_end);
    // As Dovecot counts it in BODY[n]: the line end of the close delimiter
    // stays in the multipart even where it is also the line break before
    // the enclosing delimiter.
    entity.body_end = std::max(entity.body_begin, before_break(raw, entity.body_begin, stop.line));
    if (stop.level == std::string_view::npos) entity.body_end = raw.size();
    entity.body_end = std::max(entity.body_end, std::min(closed_end, stop.line));
    return {std::move(entity), stop};
  }
  if (depth < kMaxDepth && entity.is_message()) {
    Parsed inner = parse_entity(reader, entity.body_begin, false, true, depth + 1);
    stop = inner.stop;
    entity.children.push_back(std::move(inner.entity));
  } else {
    stop = header_stop;  // the first delimiter after the header ends a leaf
  }
  entity.body_end = std::max(entity.body_begin, before_break(raw, entity.body_begin, stop.line));
  if (stop.level == std::string_view::npos) entity.body_end = raw.size();
  if (!entity.children.empty()) clip(entity.children.front(), entity.body_end);
  return {std::move(entity), stop};
}

}  // namespace

bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F &&
         std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

ParamValue parse_param_value(std::string_view value, bool with_subtype) {
  ParamValue out;
  ParamReader reader(value);
  out.type = reader.token();
  if (with_subtype) {
    // As Dovecot reads it: "text" alone is type text with an empty
    // subtype; no type, a type without subtype before parameters, or
    // anything but parameters after the subtype makes it unreadable.
    bool slash = reader.take('/');
    if (slash) out.subtype = reader.token();
    if (out.type.empty() || !reader.at_params() || (!slash && !reader.at_end())) return {};
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

const RawField* Entity::mime_field(std::string_view name) const {
  return mime_fields ? field(name) : nullptr;
}

const RawField* Entity::field(std::string_view name) const {
  auto it = std::find_if(fields.begin(), fields.end(),
                         [&](const RawField& f) { return ascii_iequals(f.name, name); });
  return it == fields.end() ? nullptr : &*it;
}

Entity parse_mime_tree(std::string_view raw) {
  std::vector<std::string> boundaries;
  LineReader reader(raw, boundaries);
  return parse_entity(reader, 0, false, true, 0).entity;
}

std::size_t count_lines(std::string_view body) {
  return static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
}

}  // namespace postern::mime::detail
