// append_message: see multiline.h. Hand-written: GMime's filters could
// normalise line ends, but TOP needs the header/body boundary and a line
// count, which is one pass over the bytes either way.
#include "pop3/multiline.h"

namespace postern::pop3 {

void append_message(std::string& out, std::string_view content,
                    std::optional<std::uint64_t> body_lines) {
  out.reserve(out.size() + content.size() + content.size() / 32 + 3);
  bool in_header = true;
  std::uint64_t body_seen = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    if (!in_header && body_lines && body_seen >= *body_lines) break;
    auto end = content.find_first_of("\r\n", pos);
    std::size_t next = content.size();
    if (end == std::string_view::npos) {
      end = content.size();
    } else {
      // CRLF, a bare LF and a bare CR each end one line.
      next = end + 1;
      if (content[end] == '\r' && next < content.size() && content[next] == '\n') ++next;
    }
    auto line = content.substr(pos, end - pos);
    if (line.starts_with('.')) out += '.';
    out += line;
    out += "\r\n";
    if (in_header) {
      in_header = !line.empty();
    } else {
      ++body_seen;
    }
    pos = next;
  }
  out += ".\r\n";
}

}  // namespace postern::pop3
