// The lexical layer of the command parser (RFC 3501 §4 and §9): a cursor
// over one command as CommandReader gives it, reading atoms, numbers and
// the three forms of string. Internal to the parser.
//
// A rule that cannot match throws Refusal with the text said to the
// client; parse_command catches it and returns it as a ParseError. The
// grammar nests (search keys, fetch sections, lists), and unwinding to the
// top in one step keeps every rule a few lines instead of checking a
// result at each of its calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "imap/parser/command.h"

namespace postern::imap::detail {

// How much of an unknown name a refusal repeats ("Unknown search key x").
inline constexpr std::size_t kEchoedName = 32;

struct Refusal {
  std::string text;
};

[[noreturn]] void refuse(std::string text);

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c);
  void expect(char c, std::string_view refusal);

  // Exactly one SP (RFC 3501 §9 note 2); `missing` is the refusal when
  // the command ends instead.
  void space(std::string_view missing);
  bool try_space() { return consume(' '); }
  // Refuses what is left, if anything.
  void expect_end();

  // 1*ATOM-CHAR, possibly empty.
  std::string_view atom();
  // The next atom when it equals `word` (any case) and ends there.
  bool keyword(std::string_view word);
  // Characters of `allowed` as long as they come.
  std::string_view take_while(bool (*allowed)(char));

  // astring: an atom with ']' allowed, a quoted string or a literal.
  std::string astring(std::string_view what);
  // string: a quoted string or a literal.
  std::string string(std::string_view what);
  // nstring: a string or NIL.
  std::optional<std::string> nstring(std::string_view what);
  bool at_string() const { return peek() == '"' || peek() == '{'; }
  // A literal's octets as they are (APPEND's message: NUL allowed).
  std::string_view raw_literal(std::string_view what);

  // number (32 bits) and nz-number.
  std::uint32_t number(std::string_view what);
  std::uint32_t nz_number(std::string_view what);

  Mailbox mailbox();
  // header-fld-name: an astring that is an RFC 5322 field name
  // (printable, no colon).
  std::string header_field_name();
  SequenceSet sequence_set();
  FlagList flag_list();                // "(" [flag *(SP flag)] ")"
  std::string flag();                  // "\" atom / atom
  std::chrono::year_month_day date();  // date-text, quoted or not
  SystemTime date_time();              // the quoted date-time of APPEND

 private:
  std::string quoted();
  std::string_view literal();

  std::string_view text_;
  std::size_t pos_ = 0;
};

// `s` in ASCII upper case (mechanism, charset and capability names).
std::string uppered(std::string_view s);

// "Missing X" when the command ended where X should be, else "Invalid X".
[[noreturn]] void refuse_argument(bool missing, std::string_view what);

}  // namespace postern::imap::detail
