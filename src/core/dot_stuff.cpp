#include "core/dot_stuff.h"

namespace postern {

void DotStuffer::add(std::string_view part, std::string& out) {
  out.reserve(out.size() + part.size() + part.size() / 64 + 8);
  for (char c : part) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF already written
    }
    if (c == '\r' || c == '\n') {
      // CRLF, bare CR and bare LF each end one line.
      out += "\r\n";
      line_start_ = true;
      after_cr_ = c == '\r';
      continue;
    }
    if (line_start_ && c == '.') out += '.';
    out += c;
    line_start_ = false;
  }
}

void DotStuffer::finish(std::string& out) {
  if (!line_start_) out += "\r\n";
  out += ".\r\n";
}

void append_dot_stuffed(std::string& out, std::string_view message) {
  DotStuffer stuffer;
  stuffer.add(message, out);
  stuffer.finish(out);
}

std::string dot_stuff(std::string_view message) {
  std::string out;
  append_dot_stuffed(out, message);
  return out;
}

}  // namespace postern
