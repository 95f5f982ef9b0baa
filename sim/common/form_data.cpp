#include "sim/common/form_data.h"

#include "core/ascii.h"
#include "core/percent.h"
#include "sim/common/http_util.h"

namespace postern::sim {

namespace {

// The next delimiter line "--boundary" that starts a line at or after
// `from`: returns the offset of its first '-' and sets `content_end` to
// where the preceding part's content ends (before the CRLF or LF that
// belongs to the delimiter, RFC 2046 §5.1.1). npos when there is none.
std::size_t find_delimiter(std::string_view body, std::string_view delim, std::size_t from,
                           std::size_t& content_end) {
  for (std::size_t at = from; at < body.size();) {
    auto nl = body.find('\n', at);
    if (nl == std::string_view::npos) return std::string_view::npos;
    auto start = nl + 1;
    if (body.substr(start, delim.size()) == delim) {
      auto after = start + delim.size();
      // The boundary must end there: "--b" is not a delimiter of "--bc".
      char next = after < body.size() ? body[after] : '\n';
      if (next == '-' || next == '\r' || next == '\n' || next == ' ' || next == '\t') {
        content_end = (nl > 0 && body[nl - 1] == '\r') ? nl - 1 : nl;
        return start;
      }
    }
    at = start;
  }
  return std::string_view::npos;
}

// Skips the rest of a delimiter line (transport padding, then the line
// break). npos when something else follows.
std::size_t past_line_break(std::string_view body, std::size_t pos) {
  while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
  if (body.substr(pos, 2) == "\r\n") return pos + 2;
  if (body.substr(pos, 1) == "\n") return pos + 1;
  return std::string_view::npos;
}

struct PartHeaders {
  std::string disposition;
  std::string content_type;
};

// Reads part headers from `pos` up to and including the empty line; returns
// where the content starts, or npos when the headers never end.
std::size_t read_part_headers(std::string_view body, std::size_t pos, PartHeaders& out) {
  std::string* last = nullptr;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    if (nl == std::string_view::npos) return std::string_view::npos;
    auto line = body.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (line.empty()) return pos;
    if ((line.front() == ' ' || line.front() == '\t') && last) {
      *last += line;  // folded continuation
      continue;
    }
    auto colon = line.find(':');
    last = nullptr;
    if (colon == std::string_view::npos) continue;
    auto name = line.substr(0, colon);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (ascii_iequals(name, "Content-Disposition")) {
      out.disposition = std::string(line.substr(colon + 1));
      last = &out.disposition;
    } else if (ascii_iequals(name, "Content-Type")) {
      out.content_type = std::string(line.substr(colon + 1));
      last = &out.content_type;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Result<std::vector<FormField>, Problem> parse_multipart(std::string_view body,
                                                        std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70)
    return Problem{"the boundary must be 1 to 70 characters"};
  const std::string delim = "--" + std::string(boundary);
  std::size_t content_end = 0;
  std::size_t pos = body.starts_with(delim) ? 0 : find_delimiter(body, delim, 0, content_end);
  if (pos == std::string_view::npos) return Problem{"no boundary delimiter in the body"};
  std::vector<FormField> fields;
  for (;;) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") return fields;  // close delimiter
    pos = past_line_break(body, pos);
    if (pos == std::string_view::npos) return Problem{"malformed boundary delimiter line"};
    PartHeaders headers;
    auto content_start = read_part_headers(body, pos, headers);
    if (content_start == std::string_view::npos) return Problem{"a part's headers do not end"};
    auto next = find_delimiter(body, delim, content_start > 0 ? content_start - 1 : 0, content_end);
    if (next == std::string_view::npos) return Problem{"no close delimiter"};
    // An empty part written without its own line break before the delimiter.
    if (content_end < content_start) content_end = content_start;
    auto type = media_type(headers.disposition);
    auto name = header_parameter(headers.disposition, "name");
    if (type != "form-data" || !name)
      return Problem{"a part has no Content-Disposition: form-data; name=..."};
    FormField field;
    field.name = std::move(*name);
    field.filename = header_parameter(headers.disposition, "filename");
    field.content_type =
        media_type(headers.content_type).empty() ? "" : std::string(headers.content_type);
    while (!field.content_type.empty() && field.content_type.front() == ' ')
      field.content_type.erase(0, 1);
    field.value = std::string(body.substr(content_start, content_end - content_start));
    fields.push_back(std::move(field));
    pos = next;
  }
}

Result<std::vector<FormField>, Problem> parse_urlencoded(std::string_view body) {
  auto pairs = parse_query(body);
  if (!pairs) return Problem{"malformed percent-encoding in the form"};
  std::vector<FormField> fields;
  for (auto& [name, value] : *pairs) {
    FormField field;
    field.name = std::move(name);
    field.value = std::move(value);
    fields.push_back(std::move(field));
  }
  return fields;
}

Result<std::vector<FormField>, Problem> parse_form(std::string_view content_type,
                                                   std::string_view body) {
  auto type = media_type(content_type);
  if (type == "multipart/form-data") {
    auto boundary = header_parameter(content_type, "boundary");
    if (!boundary) return Problem{"multipart/form-data without a boundary parameter"};
    return parse_multipart(body, *boundary);
  }
  if (type == "application/x-www-form-urlencoded") return parse_urlencoded(body);
  return std::vector<FormField>{};
}

}  // namespace postern::sim
