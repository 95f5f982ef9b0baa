// CommandReader: see command_reader.h.
#include "imap/parser/command_reader.h"

#include <algorithm>

#include "core/ascii.h"
#include "core/decimal.h"
#include "imap/parser/chars.h"

namespace postern::imap {
namespace {

// Longer than any literal announcement worth reading: 20 digits of a
// 64-bit size, a '+', the braces and some leading zeros.
constexpr std::size_t kBraceKeep = 64;

// A command buffer grown past this by a large APPEND is given back when the
// command ends, so that an idle session does not keep a message's worth.
constexpr std::size_t kKeptCapacity = 64 * 1024;

}  // namespace

std::string_view ReaderError::text() const {
  switch (code) {
    case ReaderErrc::line_too_long:
      return "Line too long";
    case ReaderErrc::command_too_long:
      return "Command too long";
    case ReaderErrc::literal_too_large:
      return "Literal too large";
    case ReaderErrc::bad_literal:
      return "Invalid literal";
    case ReaderErrc::incomplete_command:
      return "Connection closed within a command";
  }
  return "Bad command";
}

ReaderEvent CommandReader::next(std::string_view input) {
  if (clear_on_next_) {
    clear_on_next_ = false;
    reset();
  }
  std::size_t pos = 0;
  while (pos < input.size()) {
    auto rest = input.substr(pos);
    if (state_ != State::line) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, rest.size()));
      if (state_ == State::literal) buffer_.append(rest.substr(0, n));
      pos += n;
      literal_left_ -= n;
      if (literal_left_ == 0) {
        state_ = State::line;
        start_line();
      }
      continue;
    }
    auto lf = rest.find('\n');
    bool line_ends = lf != std::string_view::npos;
    auto part = rest.substr(0, line_ends ? lf : rest.size());
    take_line_part(part);
    pos += part.size();
    if (!line_ends) break;
    ++pos;
    if (auto event = end_of_line(pos)) return *event;
  }
  return {ReaderEvent::Kind::need_more, input.size()};
}

ReaderEvent CommandReader::end_of_input() {
  if (clear_on_next_) {
    clear_on_next_ = false;
    reset();
  }
  // Within a command that has not been answered yet (a refused one is
  // answered at its line end, which did not come).
  bool within =
      discarding_ ? !reported_ : !buffer_.empty() || line_length_ > 0 || state_ != State::line;
  if (!within) {
    reset();
    return {};
  }
  if (first_line_) inspect_first_line(buffer_);
  auto event = error_event(0, ReaderErrc::incomplete_command);
  reset();
  return event;
}

void CommandReader::scan(std::string_view bytes) {
  for (char c : bytes) {
    before_last_ = last_;
    last_ = c;
    if (in_quote_) {
      if (escaped_)
        escaped_ = false;
      else if (c == '\\')
        escaped_ = true;
      else if (c == '"')
        in_quote_ = false;
      continue;
    }
    if (c == '"') {
      in_quote_ = true;
      brace_live_ = false;
    } else if (c == '{') {
      brace_ = "{";
      brace_length_ = 1;
      brace_live_ = true;
    } else if (brace_live_) {
      if (brace_.size() < kBraceKeep) brace_ += c;
      ++brace_length_;
    }
  }
}

void CommandReader::take_line_part(std::string_view part) {
  scan(part);
  line_length_ += part.size();
  if (discarding_) return;
  // The line lengths at which the line passes each limit (max_line counts
  // the line end, still to come). The one passed first names the refusal,
  // whatever pieces the line came in.
  std::size_t too_long_line = limits_.max_line;
  std::size_t too_long_command = command_limit() - line_start_ + 1;
  std::size_t too_long = std::min(too_long_line, too_long_command);
  if (line_length_ < too_long) {
    buffer_.append(part);
  } else {
    refuse(too_long_line <= too_long_command ? ReaderErrc::line_too_long
                                             : ReaderErrc::command_too_long,
           part, too_long);
  }
}

// The command cannot be taken: its tag is read while the first line is at
// hand, and what was kept of the command is dropped. The tag is looked for
// in the line's first `seen` bytes, those up to the limit it passed, so
// that the answer does not depend on how the input was cut.
void CommandReader::refuse(ReaderErrc code, std::string_view part, std::size_t seen) {
  if (first_line_) {
    std::string line = buffer_.substr(line_start_);
    line.append(part.substr(0, seen - std::min(seen, line.size())));
    // Only a tag seen whole: the line is cut here.
    if (line.find(' ') != std::string::npos) inspect_first_line(line);
    first_line_ = false;
  }
  discarding_ = true;
  pending_ = code;
  buffer_.clear();
  line_start_ = 0;
}

void CommandReader::inspect_first_line(std::string_view line) {
  auto space = line.find(' ');
  auto tag = line.substr(0, space);
  if (is_valid_tag(tag)) tag_ = std::string(tag);
  if (space == std::string_view::npos) return;
  auto name = line.substr(space + 1);
  name = name.substr(0, name.find(' '));
  append_ = ascii_iequals(name, "APPEND");
}

CommandReader::Marker CommandReader::line_marker() const {
  if (!brace_live_ || in_quote_) return {};
  bool cr = last_ == '\r';
  if ((cr ? before_last_ : last_) != '}') return {};
  std::size_t length = brace_length_ - (cr ? 1 : 0);
  if (length > kBraceKeep) return {Marker::Kind::bad};
  auto digits = std::string_view(brace_).substr(1, length - 2);
  Marker m{Marker::Kind::literal};
  if (digits.ends_with('+')) {
    m.synchronising = false;
    digits.remove_suffix(1);
  }
  auto size = parse_decimal<std::uint64_t>(digits, OnOverflow::saturate);
  if (!size) return {Marker::Kind::bad};
  m.size = *size;
  return m;
}

std::optional<ReaderEvent> CommandReader::end_of_line(std::size_t consumed) {
  if (!discarding_ && buffer_.size() > line_start_ && buffer_.back() == '\r') buffer_.pop_back();
  if (first_line_) {
    inspect_first_line(buffer_);
    first_line_ = false;
  }
  auto marker = line_marker();
  if (discarding_) return end_refused_line(consumed, marker);
  switch (marker.kind) {
    case Marker::Kind::none:
      clear_on_next_ = true;
      return ReaderEvent{ReaderEvent::Kind::command, consumed, buffer_};
    case Marker::Kind::bad: {
      auto event = error_event(consumed, ReaderErrc::bad_literal);
      reset();
      return event;
    }
    case Marker::Kind::literal:
      break;
  }
  if (marker.size > literal_limit() || buffer_.size() + 2 + marker.size > command_limit()) {
    discarding_ = true;
    pending_ = ReaderErrc::literal_too_large;
    buffer_.clear();
    return end_refused_line(consumed, marker);
  }
  buffer_ += "\r\n";
  start_literal(marker, State::literal);
  if (marker.synchronising) return ReaderEvent{ReaderEvent::Kind::continuation, consumed};
  return std::nullopt;
}

// The end of a line of a refused command: a non-synchronising literal that
// it announces is still coming and is counted off; anything else ends the
// command (the client gets no "+" for a synchronising one). The refusal is
// said once, at the end of the line that caused it.
std::optional<ReaderEvent> CommandReader::end_refused_line(std::size_t consumed,
                                                           const Marker& marker) {
  std::optional<ReaderEvent> event;
  if (!reported_) event = error_event(consumed, pending_);
  reported_ = true;
  if (marker.kind == Marker::Kind::literal && !marker.synchronising) {
    start_literal(marker, State::skip_literal);
  } else {
    reset();
  }
  return event;
}

ReaderEvent CommandReader::error_event(std::size_t consumed, ReaderErrc code) const {
  ReaderEvent event{ReaderEvent::Kind::error, consumed};
  event.error = ReaderError{code, tag_, append_};
  return event;
}

void CommandReader::start_literal(const Marker& marker, State state) {
  literal_left_ = marker.size;
  state_ = marker.size > 0 ? state : State::line;
  start_line();
}

void CommandReader::start_line() {
  line_start_ = buffer_.size();
  line_length_ = 0;
  in_quote_ = false;
  escaped_ = false;
  brace_.clear();
  brace_length_ = 0;
  brace_live_ = false;
  last_ = 0;
  before_last_ = 0;
}

void CommandReader::reset() {
  if (buffer_.capacity() > kKeptCapacity) {
    std::string().swap(buffer_);
  } else {
    buffer_.clear();
  }
  state_ = State::line;
  literal_left_ = 0;
  first_line_ = true;
  discarding_ = false;
  reported_ = false;
  tag_.clear();
  append_ = false;
  start_line();
}

std::size_t CommandReader::literal_limit() const {
  return append_ ? limits_.max_append_literal : limits_.max_literal;
}

std::size_t CommandReader::command_limit() const {
  return limits_.max_command + (append_ ? limits_.max_append_literal : 0);
}

}  // namespace postern::imap
