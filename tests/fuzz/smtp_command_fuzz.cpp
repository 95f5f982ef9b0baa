// libFuzzer target: a client's command stream as the SMTP session reads it,
// framed into lines by LineReader and each line parsed by parse_command.
// Invariants beyond "no crash": a line never holds CR or LF and is within
// its limit; a parsed MAIL/RCPT path holds no line end, nor an angle
// bracket outside a quoted local part; a refusal names one of the replies
// command.h lists; verbs are case-insensitive.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "core/line_reader.h"
#include "fuzz_check.h"
#include "smtp/parser/command.h"

namespace {

using namespace postern::smtp;
using postern::LineEvent;
using postern::LineReader;

bool is_parse_refusal(ReplyId reply) {
  return reply == ReplyId::command_unrecognized || reply == ReplyId::syntax_error ||
         reply == ReplyId::bad_sender_syntax || reply == ReplyId::bad_recipient_syntax ||
         reply == ReplyId::parameter_unsupported;
}

// A quoted local part may hold any printable character, angle brackets
// too (RFC 5321 §4.1.2): what follows it.
std::string_view after_quoted_local_part(std::string_view path) {
  if (!path.starts_with('"')) return path;
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '\\')
      ++i;
    else if (path[i] == '"')
      return path.substr(i + 1);
  }
  return {};
}

void check_line(std::string_view line) {
  auto parsed = parse_command(line);
  if (!parsed) {
    FUZZ_CHECK(is_parse_refusal(parsed.error().reply));
    return;
  }
  FUZZ_CHECK(verb_name(parsed->verb) != "?");
  if (parsed->verb == Verb::mail || parsed->verb == Verb::rcpt) {
    FUZZ_CHECK(parsed->path.find_first_of("\r\n") == std::string::npos);
    FUZZ_CHECK(after_quoted_local_part(parsed->path).find_first_of("<>") == std::string::npos);
  }
  // The same line in lower case names the same verb.
  auto again = parse_command(postern::ascii_lowered(line));
  FUZZ_CHECK(!again || again->verb == parsed->verb);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  LineReader reader;
  while (!rest.empty()) {
    // As session_fsm.cpp reads: lines up to the AUTH limit, then only AUTH
    // lines may be longer than an ordinary command.
    auto event = reader.next(rest, kMaxAuthLine);
    FUZZ_CHECK(event.consumed <= rest.size());
    if (event.kind == LineEvent::Kind::line) {
      FUZZ_CHECK(event.text.find_first_of("\r\n") == std::string_view::npos);
      FUZZ_CHECK(event.text.size() + 2 <= kMaxAuthLine);
      if (event.text.size() + 2 <= kMaxCommandLine || is_auth_line(event.text)) {
        check_line(event.text);
      }
    }
    if (event.consumed == 0) break;
    rest.remove_prefix(event.consumed);
  }
  return 0;
}
