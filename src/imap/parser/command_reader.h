// Sans-io framing of IMAP commands (RFC 3501 §2.2, §4.3, §7.5; RFC 7888
// LITERAL+): bytes in, whole commands out. A command is a line, or several
// when literals are in it: a line that ends with "{n}" is followed by n
// octets, then the command goes on. A synchronising literal "{n}" waits for
// the server's "+" continuation; a non-synchronising one "{n+}" does not.
//
// Nothing is buffered past ReaderLimits: a line, a literal or a command
// over its limit is reported once, at the end of the line that went wrong,
// and the rest of that command is dropped as it arrives (a non-synchronising
// literal is counted off, not stored), so the next command is read as it
// should be. A synchronising literal that is refused is never sent: the
// client aborts the command when it sees the tagged answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/parser/limits.h"

namespace postern::imap {

enum class ReaderErrc {
  line_too_long,       // a line over max_line
  command_too_long,    // lines over max_command
  literal_too_large,   // a literal over its limit, or the command's
  bad_literal,         // "{...}" ending a line that is not a literal
  incomplete_command,  // input ended within a command (end_of_input)
};

struct ReaderError {
  ReaderErrc code = ReaderErrc::line_too_long;
  // The command's tag when its first word is one (else empty: the session
  // answers "* BAD").
  std::string tag;
  // The command is APPEND: a literal too large is answered
  // "NO [TOOBIG]" (RFC 7888 §4, RFC 4469 §5) rather than BAD.
  bool append = false;
  // The reason said to the client.
  std::string_view text() const;
};

struct ReaderEvent {
  enum class Kind {
    need_more,     // every byte of the input was used; give more
    command,       // `command` is complete
    continuation,  // a synchronising literal is expected: send "+ Ready", then more bytes
    error,         // `error` says why; the reader has resynchronised
  };
  Kind kind = Kind::need_more;
  std::size_t consumed = 0;  // bytes of the input used; give the rest to next()
  // Kind::command: the command without its last line end. Every line end
  // before a literal reads "\r\n" (a bare LF is taken as one), so that each
  // literal is "{n}\r\n" or "{n+}\r\n" and its n octets. A view into the
  // reader, valid until the next call.
  std::string_view command;
  ReaderError error;
};

class CommandReader {
 public:
  explicit CommandReader(ReaderLimits limits = {}) : limits_(limits) {}

  // Reads from `input` (the bytes not yet consumed) until an event.
  ReaderEvent next(std::string_view input);

  // The connection closed: an error when it did so within a command.
  ReaderEvent end_of_input();

  // Bytes the reader holds now (never more than the limits allow).
  std::size_t buffered() const { return buffer_.size(); }

 private:
  enum class State { line, literal, skip_literal };

  struct Marker {
    enum class Kind { none, literal, bad } kind = Kind::none;
    std::uint64_t size = 0;
    bool synchronising = true;
  };

  void scan(std::string_view bytes);
  void take_line_part(std::string_view part);
  void refuse(ReaderErrc code, std::string_view part, std::size_t seen);
  void inspect_first_line(std::string_view line);
  Marker line_marker() const;
  std::optional<ReaderEvent> end_of_line(std::size_t consumed);
  std::optional<ReaderEvent> end_refused_line(std::size_t consumed, const Marker& marker);
  ReaderEvent error_event(std::size_t consumed, ReaderErrc code) const;
  void start_literal(const Marker& marker, State state);
  void start_line();
  void reset();
  std::size_t literal_limit() const;
  std::size_t command_limit() const;

  ReaderLimits limits_;
  State state_ = State::line;
  std::string buffer_;           // the command so far
  std::size_t line_start_ = 0;   // where the current line starts in buffer_
  std::size_t line_length_ = 0;  // its length so far, stored or not
  std::uint64_t literal_left_ = 0;
  bool first_line_ = true;
  bool in_quote_ = false;
  bool escaped_ = false;
  // The line's last "{..." outside quotes (its first kBraceKeep bytes):
  // a literal's announcement when the line ends with it.
  std::string brace_;
  std::size_t brace_length_ = 0;
  bool brace_live_ = false;
  char last_ = 0;  // the line's last two bytes
  char before_last_ = 0;
  bool discarding_ = false;  // the command is refused; its bytes are dropped
  bool reported_ = false;    // ...and that has been said
  ReaderErrc pending_ = ReaderErrc::line_too_long;
  bool clear_on_next_ = false;
  std::string tag_;
  bool append_ = false;
};

}  // namespace postern::imap
