// Header section scanner: finds field boundaries on raw bytes (RFC 5322 §2.2,
// §3.6.8 field-name = 1*ftext, obs-optional allows WSP before the colon).
#include "mime/detail/header_section.h"

#include <algorithm>
#include <cctype>

namespace postern::mime::detail {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// ftext (RFC 5322 §3.6.8): printable US-ASCII except ':'.
bool is_ftext(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 33 && u <= 126 && u != ':';
}

// Length of the field name at the start of `line` when the line opens a
// field, 0 otherwise. Sets *colon to the offset of the colon.
std::size_t field_name_length(std::string_view line, std::size_t* colon) {
  std::size_t n = 0;
  while (n < line.size() && is_ftext(line[n])) ++n;
  if (n == 0) return 0;
  std::size_t i = n;
  while (i < line.size() && is_wsp(line[i])) ++i;
  if (i >= line.size() || line[i] != ':') return 0;
  *colon = i;
  return n;
}

std::string describe(std::size_t line_no, std::string_view what) {
  return "header line " + std::to_string(line_no) + " " + std::string(what);
}

}  // namespace

HeaderSection scan_header(std::string_view raw) {
  HeaderSection out;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  bool in_field = false;
  std::size_t value_begin = 0;  // of the field being read
  auto note = [&](std::string text) {
    if (out.problem.empty()) out.problem = std::move(text);
  };
  while (pos < raw.size()) {
    ++line_no;
    std::size_t nl = raw.find('\n', pos);
    std::size_t next = nl == std::string_view::npos ? raw.size() : nl + 1;
    std::size_t content_end = nl == std::string_view::npos ? raw.size() : nl;
    if (content_end > pos && raw[content_end - 1] == '\r' && nl != std::string_view::npos) {
      --content_end;
    }
    std::string_view line = raw.substr(pos, content_end - pos);
    if (line.empty() && nl != std::string_view::npos) {
      out.has_blank_line = true;
      out.body_begin = next;
      return out;
    }
    if (line.size() > kMaxLineLength) note(describe(line_no, "is longer than 998 octets"));
    if (line.find('\0') != std::string_view::npos) note(describe(line_no, "contains a NUL byte"));
    std::size_t colon = 0;
    if (!line.empty() && is_wsp(line.front())) {
      if (in_field) {
        out.fields.back().end = next;
        out.fields.back().value = raw.substr(value_begin, content_end - value_begin);
      } else {
        note(describe(line_no, "is a continuation line without a field before it"));
      }
    } else if (std::size_t n = field_name_length(line, &colon); n > 0) {
      RawField field;
      field.name = line.substr(0, n);
      value_begin = pos + colon + 1;
      field.value = raw.substr(value_begin, content_end - value_begin);
      field.begin = pos;
      field.end = next;
      out.fields.push_back(field);
      in_field = true;
    } else {
      note(describe(line_no, "is not a header field (is the blank line before the body missing?)"));
      in_field = false;
    }
    pos = next;
  }
  out.body_begin = raw.size();
  return out;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    if (c == '\n') continue;
    out.push_back(c);
  }
  auto first = std::find_if(out.begin(), out.end(), [](char c) { return !is_wsp(c); });
  out.erase(out.begin(), first);
  while (!out.empty() && (is_wsp(out.back()) || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace postern::mime::detail
