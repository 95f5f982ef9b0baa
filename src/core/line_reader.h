// Sans-io framing of protocol command lines, for the servers' parsers.
//
// SMTP (RFC 5321 §2.3.8) takes only <CRLF>: a bare LF or CR is reported,
// never accepted, so that no line boundary can mean one thing here and
// another to a proxy in front (SMTP smuggling). POP3 (RFC 1939 §3) also
// takes a bare LF, with any CR before it dropped, so that a client typing
// by hand is understood: a POP3 command carries no mail to smuggle.
#pragma once

#include <cstddef>
#include <string_view>

namespace postern {

enum class LineEnds {
  crlf,        // SMTP: bare LF or CR is a bare_newline event
  crlf_or_lf,  // POP3: LF ends a line, a CR before it is dropped
};

struct LineEvent {
  enum class Kind {
    need_more,     // no complete line yet; `consumed` bytes may be dropped
    line,          // `text` is the line without its line end
    too_long,      // a line over the limit ended (its bytes were dropped)
    bare_newline,  // LineEnds::crlf: a line held a bare CR or ended with a bare LF
  };
  Kind kind = Kind::need_more;
  std::string_view text;  // for `line`: a view into the input
  std::size_t consumed = 0;
};

class LineReader {
 public:
  explicit LineReader(LineEnds ends = LineEnds::crlf) : ends_(ends) {}

  // Finds the next line in `input` (the bytes not yet consumed). `max_line`
  // counts the CRLF. A line over the limit is dropped as it arrives, so the
  // caller never buffers more than `max_line` bytes of one line; it is
  // reported once, when its LF finally comes.
  LineEvent next(std::string_view input, std::size_t max_line);

 private:
  LineEnds ends_;
  bool discarding_ = false;
};

}  // namespace postern
