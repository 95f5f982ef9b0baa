// Cursor: see cursor.h.
#include "imap/parser/cursor.h"

#include <array>

#include "core/ascii.h"
#include "core/decimal.h"
#include "core/time_format.h"
#include "core/utf8.h"
#include "imap/parser/chars.h"

namespace postern::imap::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_sequence_char(char c) { return is_digit(c) || c == '*' || c == ':' || c == ','; }

constexpr std::array<std::string_view, 6> kSystemFlags = {"\\Seen",    "\\Answered", "\\Flagged",
                                                          "\\Deleted", "\\Draft",    "\\Recent"};

// Read by hand: std::chrono::parse is missing from GCC 12's library, and
// fmt formats but does not parse. Writing dates is core/time_format.h's.
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::optional<unsigned> parse_month(std::string_view name) {
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (ascii_iequals(name, kMonths[i])) return i + 1;
  }
  return std::nullopt;
}

// date-text: 1*2DIGIT "-" date-month "-" 4DIGIT, a day the calendar has.
std::optional<std::chrono::year_month_day> parse_date_text(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 2) return std::nullopt;
  auto day = parse_decimal<unsigned>(text.substr(0, dash));
  text.remove_prefix(dash + 1);
  if (text.size() != 8 || text[3] != '-') return std::nullopt;
  auto month = parse_month(text.substr(0, 3));
  auto year = parse_decimal<int>(text.substr(4));
  if (!day || !month || !year) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(*year), std::chrono::month(*month),
                                  std::chrono::day(*day)};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<int> two_digits(std::string_view text, int max) {
  if (text.size() != 2) return std::nullopt;
  auto n = parse_decimal<int>(text);
  if (!n || *n > max) return std::nullopt;
  return n;
}

// date-time without its quotes: "17-Jul-1996 02:44:25 -0700" (a day of
// one digit may come with a leading space or without).
std::optional<SystemTime> parse_date_time(std::string_view text) {
  if (text.starts_with(' ')) text.remove_prefix(1);
  auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto ymd = parse_date_text(text.substr(0, space));
  text.remove_prefix(space + 1);
  if (!ymd || text.size() != 14 || text[2] != ':' || text[5] != ':' || text[8] != ' ') {
    return std::nullopt;
  }
  auto h = two_digits(text.substr(0, 2), 23);
  auto m = two_digits(text.substr(3, 2), 59);
  auto s = two_digits(text.substr(6, 2), 60);
  char sign = text[9];
  auto zone_h = two_digits(text.substr(10, 2), 99);
  auto zone_m = two_digits(text.substr(12, 2), 59);
  if (!h || !m || !s || !zone_h || !zone_m || (sign != '+' && sign != '-')) return std::nullopt;
  using namespace std::chrono;
  auto offset = hours(*zone_h) + minutes(*zone_m);
  sys_seconds local = sys_days(*ymd) + hours(*h) + minutes(*m) + seconds(*s);
  auto utc = sign == '+' ? local - offset : local + offset;
  // In seconds first: SystemTime's nanoseconds end in 2262.
  return from_unix_seconds(utc.time_since_epoch().count());
}

}  // namespace

std::string uppered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void refuse(std::string text) { throw Refusal{std::move(text)}; }

void refuse_argument(bool missing, std::string_view what) {
  refuse((missing ? "Missing " : "Invalid ") + std::string(what));
}

bool Cursor::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

void Cursor::expect(char c, std::string_view refusal) {
  if (!consume(c)) refuse(std::string(refusal));
}

void Cursor::space(std::string_view missing) {
  if (at_end()) refuse(std::string(missing));
  expect(' ', "Expected a single space between arguments");
}

void Cursor::expect_end() {
  if (!at_end()) refuse("Unexpected arguments at the end of the command");
}

std::string_view Cursor::take_while(bool (*allowed)(char)) {
  auto start = pos_;
  while (!at_end() && allowed(text_[pos_])) ++pos_;
  return text_.substr(start, pos_ - start);
}

std::string_view Cursor::atom() { return take_while(is_atom_char); }

bool Cursor::keyword(std::string_view word) {
  auto rest = text_.substr(pos_);
  if (!ascii_istarts_with(rest, word)) return false;
  if (rest.size() > word.size() && is_atom_char(rest[word.size()])) return false;
  pos_ += word.size();
  return true;
}

// RFC 3501's quoted strings are 7-bit; RFC 9051 (IMAP4rev2) lets them hold
// UTF-8, and clients send it without asking: mutt 2.2 quotes the text of
// its server-side searches (`UID SEARCH BODY "Straße"`), as Dovecot takes
// it. So UTF-8 is taken; other 8-bit bytes (Latin-1 and the like, whose
// meaning no one could know) are still refused.
std::string Cursor::quoted() {
  expect('"', "Expected a quoted string");
  std::string out;
  bool eight_bit = false;
  while (true) {
    if (at_end()) refuse("Unterminated quoted string");
    char c = text_[pos_++];
    if (c == '"') break;
    if (c == '\\') {
      c = peek();
      if (c != '"' && c != '\\') refuse("Invalid escape in quoted string");
      ++pos_;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      eight_bit = true;
    } else if (c == '\0' || c == '\r' || c == '\n') {
      refuse("Invalid character in quoted string");
    }
    out += c;
  }
  if (eight_bit && !is_valid_utf8(out)) refuse("8-bit text must be UTF-8 or sent as a literal");
  return out;
}

std::string_view Cursor::literal() {
  expect('{', "Expected a literal");
  auto digits = take_while(is_digit);
  consume('+');
  auto size = parse_decimal<std::uint64_t>(digits);
  if (!size || !consume('}') || !consume('\r') || !consume('\n')) refuse("Invalid literal");
  if (*size > text_.size() - pos_) refuse("Literal ended early");
  auto octets = text_.substr(pos_, static_cast<std::size_t>(*size));
  pos_ += octets.size();
  return octets;
}

std::string_view Cursor::raw_literal(std::string_view what) {
  if (peek() != '{') refuse_argument(at_end(), what);
  return literal();
}

std::string Cursor::string(std::string_view what) {
  if (peek() == '"') return quoted();
  if (peek() != '{') refuse_argument(at_end(), what);
  auto octets = literal();
  // CHAR8 (RFC 3501 §9) has no NUL; only APPEND's message may hold one.
  if (octets.find('\0') != std::string_view::npos) refuse("NUL in a literal");
  return std::string(octets);
}

std::string Cursor::astring(std::string_view what) {
  if (at_string()) return string(what);
  auto word = take_while(is_astring_char);
  if (word.empty()) refuse_argument(at_end(), what);
  return std::string(word);
}

std::optional<std::string> Cursor::nstring(std::string_view what) {
  if (keyword("NIL")) return std::nullopt;
  return string(what);
}

std::uint32_t Cursor::number(std::string_view what) {
  auto digits = take_while(is_digit);
  auto n = parse_decimal<std::uint32_t>(digits);
  if (!n) refuse_argument(digits.empty() && at_end(), what);
  return *n;
}

std::uint32_t Cursor::nz_number(std::string_view what) {
  auto n = number(what);
  if (n == 0) refuse("Invalid " + std::string(what));
  return n;
}

Mailbox Cursor::mailbox() {
  auto name = astring("mailbox name");
  if (ascii_iequals(name, "INBOX")) name = "INBOX";
  return Mailbox{std::move(name)};
}

std::string Cursor::header_field_name() {
  auto name = astring("header field name");
  bool valid = !name.empty();
  for (char c : name) valid = valid && c > 32 && c < 127 && c != ':';
  if (!valid) refuse("Invalid header field name");
  return name;
}

SequenceSet Cursor::sequence_set() {
  auto text = take_while(is_sequence_char);
  auto set = parse_sequence_set(text);
  if (!set || (!at_end() && peek() != ' ' && peek() != ')')) {
    refuse_argument(text.empty() && at_end(), "sequence set");
  }
  return *set;
}

std::string Cursor::flag() {
  bool system = consume('\\');
  auto word = atom();
  if (word.empty()) refuse("Invalid flag");
  std::string out = (system ? "\\" : "") + std::string(word);
  for (auto canonical : kSystemFlags) {
    if (ascii_iequals(out, canonical)) return std::string(canonical);
  }
  return out;
}

FlagList Cursor::flag_list() {
  expect('(', "Expected a flag list");
  FlagList flags;
  if (consume(')')) return flags;
  do {
    flags.push_back(flag());
  } while (try_space());
  expect(')', "Invalid flag list");
  return flags;
}

std::chrono::year_month_day Cursor::date() {
  bool missing = at_end();
  std::string text = peek() == '"' ? quoted() : std::string(atom());
  auto ymd = parse_date_text(text);
  if (!ymd) refuse_argument(missing, "date");
  return *ymd;
}

SystemTime Cursor::date_time() {
  auto t = parse_date_time(quoted());
  if (!t) refuse("Invalid date-time");
  return *t;
}

}  // namespace postern::imap::detail
