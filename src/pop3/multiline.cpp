// top_of: see multiline.h.
#include "pop3/multiline.h"

namespace postern::pop3 {

std::string_view top_of(std::string_view content, std::uint64_t body_lines) {
  bool in_header = true;
  std::uint64_t body_seen = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    if (!in_header && body_seen >= body_lines) break;
    auto end = content.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) return content;
    auto next = end + 1;
    if (content[end] == '\r' && next < content.size() && content[next] == '\n') ++next;
    if (in_header) {
      in_header = end != pos;  // the empty line ends the header
    } else {
      ++body_seen;
    }
    pos = next;
  }
  return content.substr(0, pos);
}

}  // namespace postern::pop3
