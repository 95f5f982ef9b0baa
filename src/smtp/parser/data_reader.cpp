// DataReader: see data_reader.h.
#include "smtp/parser/data_reader.h"

namespace postern::smtp {

DataReader::Progress DataReader::feed(std::string_view input, BodyScanner& body) {
  std::size_t i = 0;
  while (i < input.size()) {
    switch (state_) {
      case State::dot_cr:
        state_ = State::content;
        if (input[i] == '\n') return {i + 1, true};
        // A line with more after the dot: the dot was stuffing (RFC 5321
        // §4.5.2) and the CR is a bare CR, which the scanner refuses.
        body.feed("\r");
        continue;
      case State::dot:
        if (input[i] == '\r') {
          state_ = State::dot_cr;
        } else {
          state_ = State::content;
          body.feed(input.substr(i, 1));  // fed alone: a second dot is content
        }
        ++i;
        continue;
      case State::content: {
        if (body.at_line_start() && input[i] == '.') {
          state_ = State::dot;
          ++i;
          continue;
        }
        auto lf = input.find('\n', i);
        auto end = lf == std::string_view::npos ? input.size() : lf + 1;
        body.feed(input.substr(i, end - i));
        i = end;
        continue;
      }
    }
  }
  return {input.size(), false};
}

}  // namespace postern::smtp
