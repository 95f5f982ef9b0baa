// Sans-io POP3 command parser (RFC 1939 §3, RFC 2449 CAPA, RFC 2595 STLS):
// one command line in, a Command or a refusal out. Keywords are
// case-insensitive; arguments are separated by spaces (runs of them are
// tolerated), except PASS, whose argument is the rest of the line, spaces
// and all (RFC 1939 §7 lets a server read it so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace postern::pop3 {

// Lets Result<T, E>::value() find the project's handler for pop3's own
// error types by argument-dependent lookup (see core/error.h).
using postern::throw_exception_from_error;

enum class Verb {
  user,
  pass,
  stat,
  list,
  uidl,
  retr,
  top,
  dele,
  rset,
  noop,
  quit,
  capa,
  stls,
  apop,  // recognised to refuse it by name: no shared secrets are kept
  auth,  // likewise: SASL is not offered, USER/PASS is
  count_
};

inline constexpr std::size_t kVerbCount = static_cast<std::size_t>(Verb::count_);

// "USER", "RETR", ... as on the wire (metrics labels, logs, replies).
std::string_view verb_name(Verb verb);

struct Command {
  Verb verb = Verb::noop;
  // USER: the name; PASS: the password; APOP/AUTH: whatever followed.
  std::string argument;
  // LIST/UIDL (optional), RETR/TOP/DELE (required): the message number as
  // given; whether such a message exists is the session's concern.
  std::optional<std::uint64_t> message;
  std::uint64_t lines = 0;  // TOP: body lines wanted
};

struct CommandError {
  std::string text;          // for "-ERR <text>"
  std::optional<Verb> verb;  // when the keyword was recognised but not its arguments
};

// RFC 2449 §4: a command line is at most 255 octets with its CRLF.
inline constexpr std::size_t kMaxCommandLine = 255;

// Parses one command line, without its line end. Line length is the
// caller's concern (kMaxCommandLine).
Result<Command, CommandError> parse_command(std::string_view line);

}  // namespace postern::pop3
