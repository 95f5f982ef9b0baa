// Sans-io framing of SMTP command lines (RFC 5321 §2.3.8): only <CRLF> ends
// a line. Bare LF or CR is reported, never accepted, so that no line boundary
// can mean one thing here and another to a proxy in front (SMTP smuggling).
#pragma once

#include <cstddef>
#include <string_view>

namespace postern::smtp {

struct LineEvent {
  enum class Kind {
    need_more,     // no complete line yet; `consumed` bytes may be dropped
    line,          // `text` is the line without its CRLF
    too_long,      // a line over the limit ended (its bytes were dropped)
    bare_newline,  // a line held a bare CR or ended with a bare LF
  };
  Kind kind = Kind::need_more;
  std::string_view text;  // for `line`: a view into the input
  std::size_t consumed = 0;
};

class LineReader {
 public:
  // Finds the next line in `input` (the bytes not yet consumed). `max_line`
  // counts the CRLF. A line over the limit is dropped as it arrives, so the
  // caller never buffers more than `max_line` bytes of one line; it is
  // reported once, when its LF finally comes.
  LineEvent next(std::string_view input, std::size_t max_line);

 private:
  bool discarding_ = false;
};

}  // namespace postern::smtp
