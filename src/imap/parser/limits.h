// How much of a client's command the IMAP reader holds at once. Every
// buffer of the reader is bounded by these; what goes past them is refused
// and dropped as it arrives, never kept.
#pragma once

#include <cstddef>

namespace postern::imap {

struct ReaderLimits {
  // One line of a command, outside literals, with its CRLF. RFC 7162 §4
  // asks servers to take lines of at least 8192 octets.
  std::size_t max_line = 8192;
  // A literal of any command but APPEND: user names, passwords, search
  // strings, header field names.
  std::size_t max_literal = 64 * 1024;
  // APPEND's literals, the message among them; the session sets it to the
  // message size limit (RFC 7888 TOOBIG past it).
  std::size_t max_append_literal = 25 * 1024 * 1024;
  // All of a command's lines and literals together; APPEND may hold
  // max_append_literal more.
  std::size_t max_command = 256 * 1024;
};

}  // namespace postern::imap
