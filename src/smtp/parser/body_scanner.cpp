// BodyScanner: see body_scanner.h.
#include "smtp/parser/body_scanner.h"

namespace postern::smtp {

void BodyScanner::feed(std::string_view bytes) {
  size_ += bytes.size();
  if (content_.size() < max_bytes_) content_.append(bytes.substr(0, max_bytes_ - content_.size()));
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (bytes[i] == '\n') {
        line_length_ = 0;
        at_line_start_ = true;
        ++i;
        continue;
      }
      bare_newline_ = true;
      ++line_length_;  // the lone CR is part of the line; bytes[i] is handled below
    }
    // A plain loop: string_view::find_first_of calls memchr on its set of
    // two for every byte scanned (6% of Postern's CPU in the SMTP benchmark).
    auto j = i;
    while (j < bytes.size() && bytes[j] != '\r' && bytes[j] != '\n') ++j;
    if (j > i) {
      line_length_ += j - i;
      at_line_start_ = false;
      if (line_length_ > kMaxLineLength) long_line_ = true;
    }
    if (j == bytes.size()) break;
    at_line_start_ = false;
    if (bytes[j] == '\n') {
      bare_newline_ = true;
      line_length_ = 0;
    } else {
      pending_cr_ = true;
    }
    i = j + 1;
  }
}

BodyVerdict BodyScanner::verdict() const {
  if (bare_newline_ || pending_cr_) return BodyVerdict::bare_newline;
  if (size_ > max_bytes_) return BodyVerdict::too_big;
  if (long_line_) return BodyVerdict::line_too_long;
  return BodyVerdict::ok;
}

}  // namespace postern::smtp
