// Sans-io IMAP4rev1 command parser (RFC 3501 §6 and §9, with the
// extensions listed in command.h): one command as CommandReader gives it
// (literals in place) in, a typed Command or the reason for a BAD out.
#pragma once

#include <string_view>

#include "core/error.h"
#include "imap/parser/command.h"

namespace postern::imap {

// Lets Result<T, E>::value() find the project's handler for imap's own
// error types by argument-dependent lookup (see core/error.h).
using postern::throw_exception_from_error;

// Parses one command: tag SP [UID SP] name [SP arguments]. Names and
// keywords are case-insensitive; arguments are separated by exactly one
// space (RFC 3501 §9 note 2). Whether the command is allowed in the
// session's state is the session's concern, not the parser's.
Result<Command, ParseError> parse_command(std::string_view command);

// The line that ends IDLE (RFC 2177): "DONE", in any case.
bool is_idle_done(std::string_view line);

}  // namespace postern::imap
