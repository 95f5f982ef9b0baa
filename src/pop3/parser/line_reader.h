// Sans-io framing of POP3 command lines (RFC 1939 §3). Lines end with CRLF;
// a bare LF ends one too (with any CR before it dropped), so that a client
// typing by hand is understood. Unlike SMTP there is nothing to smuggle:
// a POP3 command never carries mail, so leniency costs nothing here.
#pragma once

#include <cstddef>
#include <string_view>

namespace postern::pop3 {

struct LineEvent {
  enum class Kind {
    need_more,  // no complete line yet; `consumed` bytes may be dropped
    line,       // `text` is the line without its line end
    too_long,   // a line over the limit ended (its bytes were dropped)
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

}  // namespace postern::pop3
