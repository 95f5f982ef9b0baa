// Sans-io reader of DATA content (RFC 5321 §4.5.2 transparency, §4.1.1.4
// end of data). Only <CRLF>.<CRLF> ends the data; <LF>.<LF>, <CR>.<CR> and
// <LF>.<CR><LF> do not, and the bare newlines in them make BodyScanner
// refuse the message, so a message can never be split in two (SMTP
// smuggling). Input may be split at any byte.
#pragma once

#include <cstddef>
#include <string_view>

#include "smtp/parser/body_scanner.h"

namespace postern::smtp {

class DataReader {
 public:
  struct Progress {
    std::size_t consumed = 0;  // bytes of input used; the rest are commands
    bool done = false;         // the end-of-data line was read
  };

  // Unstuffs `input` into `body` (the leading dot of a line is removed; the
  // CRLF before the final dot belongs to the message) until the end of data.
  Progress feed(std::string_view input, BodyScanner& body);

 private:
  enum class State {
    content,
    dot,     // a dot at the start of a line
    dot_cr,  // a dot and CR at the start of a line
  };
  State state_ = State::content;
};

}  // namespace postern::smtp
