// Sans-io SMTP command parser (RFC 5321 §4.1 with the ESMTP parameters of
// RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 3030 BDAT and
// RFC 4954 AUTH): one command line in, a Command or a SyntaxError out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "smtp/replies.h"

namespace postern::smtp {

// Lets Result<T, E>::value() find the project's handler for smtp's own
// error types by argument-dependent lookup (see core/error.h).
using postern::throw_exception_from_error;

enum class Verb {
  ehlo,
  helo,
  mail,
  rcpt,
  data,
  bdat,
  rset,
  noop,
  quit,
  vrfy,
  help,
  starttls,
  auth,
  count_
};

inline constexpr std::size_t kVerbCount = static_cast<std::size_t>(Verb::count_);

// "MAIL", "RCPT", ... as on the wire (metrics labels, logs).
std::string_view verb_name(Verb verb);

enum class BodyType { unspecified, seven_bit, eight_bit_mime };

struct Command {
  Verb verb = Verb::noop;
  // EHLO/HELO: the client's domain or address literal. VRFY/HELP/NOOP: the
  // argument as given. AUTH: the mechanism, upper-cased.
  std::string argument;
  // MAIL/RCPT: the mailbox inside <...> without any source route
  // (RFC 5321 §4.1.2, "MUST accept and ignore"); empty for MAIL FROM:<>.
  std::string path;
  // MAIL parameters.
  std::optional<std::uint64_t> size;  // RFC 1870
  BodyType body = BodyType::unspecified;
  bool smtputf8 = false;  // RFC 6531 §3.4
  // BDAT (RFC 3030 §2).
  std::uint64_t chunk_size = 0;
  bool last = false;
  // AUTH (RFC 4954 §4): the initial response as sent, still base64; "=" is
  // the explicit empty response.
  std::optional<std::string> initial_response;
};

struct SyntaxError {
  ReplyId reply = ReplyId::syntax_error;
  std::string detail;        // replaces the reply's default text when not empty
  std::optional<Verb> verb;  // when the verb was recognized but not its arguments
};

// RFC 5321 §4.5.3.1.4: 512 octets with the CRLF. AUTH lines may be longer:
// RFC 4954 §4 asks servers to take initial responses of 12288 octets.
inline constexpr std::size_t kMaxCommandLine = 512;
inline constexpr std::size_t kMaxAuthLine = 12288;

// Parses one command line, without its CRLF. Verbs and keywords are
// case-insensitive; runs of spaces between arguments are tolerated, and so
// is a space after "FROM:" / "TO:" (common in the wild). Errors name the
// reply to send: command_unrecognized (500), syntax_error (501),
// bad_sender_syntax / bad_recipient_syntax (501), parameter_unsupported (555).
// Line length is the caller's concern (see kMaxCommandLine).
Result<Command, SyntaxError> parse_command(std::string_view line);

// True when the line starts with the AUTH verb (it may then be longer than
// kMaxCommandLine).
bool is_auth_line(std::string_view line);

}  // namespace postern::smtp
