// LineReader: see line_reader.h.
#include "core/line_reader.h"

namespace postern {

LineEvent LineReader::next(std::string_view input, std::size_t max_line) {
  auto lf = input.find('\n');
  if (discarding_) {
    if (lf == std::string_view::npos) return {LineEvent::Kind::need_more, {}, input.size()};
    discarding_ = false;
    return {LineEvent::Kind::too_long, {}, lf + 1};
  }
  if (lf == std::string_view::npos) {
    if (input.size() < max_line) return {};
    discarding_ = true;
    return {LineEvent::Kind::need_more, {}, input.size()};
  }
  if (lf + 1 > max_line) return {LineEvent::Kind::too_long, {}, lf + 1};
  auto text = input.substr(0, lf);
  bool crlf = text.ends_with('\r');
  if (crlf) text.remove_suffix(1);
  if (ends_ == LineEnds::crlf_or_lf) return {LineEvent::Kind::line, text, lf + 1};
  if (!crlf || text.find('\r') != std::string_view::npos) {
    return {LineEvent::Kind::bare_newline, {}, lf + 1};
  }
  return {LineEvent::Kind::line, text, lf + 1};
}

}  // namespace postern
