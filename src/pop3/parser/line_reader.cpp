// LineReader: see line_reader.h.
#include "pop3/parser/line_reader.h"

namespace postern::pop3 {

LineEvent LineReader::next(std::string_view input, std::size_t max_line) {
  auto lf = input.find('\n');
  if (discarding_) {
    if (lf == std::string_view::npos) return {LineEvent::Kind::need_more, {}, input.size()};
    discarding_ = false;
    return {LineEvent::Kind::too_long, {}, lf + 1};
  }
  if (lf == std::string_view::npos) {
    // A CR may still be followed by its LF: the line may grow to max_line.
    if (input.size() < max_line) return {};
    discarding_ = true;
    return {LineEvent::Kind::need_more, {}, input.size()};
  }
  auto text = input.substr(0, lf);
  if (text.ends_with('\r')) text.remove_suffix(1);
  if (text.size() + 2 > max_line) return {LineEvent::Kind::too_long, {}, lf + 1};
  return {LineEvent::Kind::line, text, lf + 1};
}

}  // namespace postern::pop3
