// libFuzzer target: a client's byte stream as the IMAP session reads it,
// framed into commands by CommandReader (small limits, so that inputs reach
// them) and each command parsed by parse_command; and modified UTF-7
// mailbox names both ways. Invariants beyond "no crash": the reader makes
// progress and never holds more than its limits; a refusal is one line of
// text; a parsed command starts with its tag; names and keywords are
// case-insensitive; a name encoded to modified UTF-7 decodes to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "core/utf8.h"
#include "fuzz_check.h"
#include "imap/mailbox_name.h"
#include "imap/parser/command_parser.h"
#include "imap/parser/command_reader.h"

namespace {

using namespace postern::imap;

bool one_line(std::string_view text) {
  return !text.empty() && text.find_first_of("\r\n") == std::string_view::npos;
}

void check_command(std::string_view text) {
  auto parsed = parse_command(text);
  if (!parsed) {
    FUZZ_CHECK(one_line(parsed.error().text));
    FUZZ_CHECK(parsed.error().tag.find_first_of(" \r\n") == std::string::npos);
    return;
  }
  FUZZ_CHECK(text.starts_with(parsed->tag + " "));
  // The same command in lower case is the same command (quoted strings
  // and literals change, but not their validity).
  auto again = parse_command(postern::ascii_lowered(text));
  FUZZ_CHECK(again && again->body.index() == parsed->body.index() && again->uid == parsed->uid);
}

void check_mailbox_names(std::string_view data) {
  if (decode_mailbox_name(data))
    FUZZ_CHECK(encode_mailbox_name(*decode_mailbox_name(data)) == std::string(data));
  auto utf8 = postern::valid_utf8(data);
  for (char c : utf8) {
    if ((c >= 0 && c < 0x20) || c == 0x7f) return;  // not a name
  }
  auto wire = encode_mailbox_name(utf8);
  FUZZ_CHECK(wire.has_value());
  FUZZ_CHECK(decode_mailbox_name(*wire) == utf8);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const ReaderLimits limits{
      .max_line = 256, .max_literal = 64, .max_append_literal = 512, .max_command = 1024};
  CommandReader reader(limits);
  std::string_view rest = input;
  while (!rest.empty()) {
    auto event = reader.next(rest);
    FUZZ_CHECK(event.consumed <= rest.size());
    FUZZ_CHECK(reader.buffered() <= limits.max_command + limits.max_append_literal);
    if (event.kind == ReaderEvent::Kind::need_more) {
      FUZZ_CHECK(event.consumed == rest.size());
    } else {
      FUZZ_CHECK(event.consumed > 0);
    }
    if (event.kind == ReaderEvent::Kind::command) check_command(event.command);
    if (event.kind == ReaderEvent::Kind::error) FUZZ_CHECK(one_line(event.error.text()));
    rest.remove_prefix(event.consumed);
  }
  reader.end_of_input();
  FUZZ_CHECK(reader.buffered() == 0);
  if (size <= 256) check_mailbox_names(input);
  return 0;
}
