// Byte-stuffing of a message sent as lines ending in a lone dot, the same
// in SMTP's DATA (RFC 5321 §4.5.2, §2.3.8) and POP3's multi-line responses
// (RFC 1939 §3): CRLF line ends everywhere, a '.' doubled at the start of
// every line, and the terminating "<CRLF>.<CRLF>".
#pragma once

#include <string>
#include <string_view>

namespace postern {

// Bare LF and bare CR become CRLF (they must not be sent, RFC 5321 §2.3.8); a
// message not ending in CRLF gets one before the terminator.
std::string dot_stuff(std::string_view message);
// The same, appended to `out` (after a response line already there).
void append_dot_stuffed(std::string& out, std::string_view message);

// The same, a part at a time: a big message is sent as it is stuffed,
// never held stuffed whole beside itself. Parts may split a line or a CRLF
// anywhere.
class DotStuffer {
 public:
  // Appends `part`, stuffed, to `out`.
  void add(std::string_view part, std::string& out);
  // Appends the end: CRLF when the message did not end with one, then
  // the terminator.
  void finish(std::string& out);

 private:
  bool line_start_ = true;
  bool after_cr_ = false;  // the last byte was a CR, its CRLF written
};

}  // namespace postern
