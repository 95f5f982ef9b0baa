// parse_command: see command.h.
#include <array>
#include <charconv>
#include <vector>

#include "core/ascii.h"
#include "pop3/parser/command.h"

namespace postern::pop3 {
namespace {

constexpr std::array<std::string_view, kVerbCount> kNames = {
    "USER", "PASS", "STAT", "LIST", "UIDL", "RETR", "TOP",  "DELE",
    "RSET", "NOOP", "QUIT", "CAPA", "STLS", "APOP", "AUTH",
};

// Message numbers and line counts: digits only, no sign, at most 18 of
// them (so the value fits however it is used later).
std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_arguments(std::string_view rest) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    if (rest[pos] == ' ') {
      ++pos;
      continue;
    }
    auto end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    out.push_back(rest.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

CommandError refuse(Verb verb, std::string text) {
  return CommandError{std::string(verb_name(verb)) + " " + text, verb};
}

Result<Command, CommandError> with_arguments(Command c, std::string_view rest) {
  auto args = split_arguments(rest);
  auto count_is = [&](std::size_t low, std::size_t high) {
    return args.size() >= low && args.size() <= high;
  };
  switch (c.verb) {
    case Verb::user:
      if (!count_is(1, 1)) return refuse(c.verb, "takes one argument: the user name");
      c.argument = args[0];
      return c;
    case Verb::list:
    case Verb::uidl:
    case Verb::retr:
    case Verb::dele:
    case Verb::top: {
      bool optional = c.verb == Verb::list || c.verb == Verb::uidl;
      std::size_t wanted = c.verb == Verb::top ? 2 : 1;
      if (!count_is(optional ? 0 : wanted, wanted)) {
        return refuse(c.verb, c.verb == Verb::top ? "takes a message number and a line count"
                              : optional          ? "takes at most a message number"
                                                  : "takes a message number");
      }
      if (args.empty()) return c;
      c.message = parse_number(args[0]);
      if (!c.message) return refuse(c.verb, "needs a message number in decimal digits");
      if (c.verb == Verb::top) {
        auto lines = parse_number(args[1]);
        if (!lines) return refuse(c.verb, "needs a line count in decimal digits");
        c.lines = *lines;
      }
      return c;
    }
    case Verb::apop:
    case Verb::auth:
      c.argument = rest;
      return c;
    case Verb::stat:
    case Verb::rset:
    case Verb::noop:
    case Verb::quit:
    case Verb::capa:
    case Verb::stls:
      if (!args.empty()) return refuse(c.verb, "takes no argument");
      return c;
    case Verb::pass:
    case Verb::count_:
      break;
  }
  return c;
}

}  // namespace

std::string_view verb_name(Verb verb) {
  auto i = static_cast<std::size_t>(verb);
  return i < kNames.size() ? kNames[i] : "?";
}

Result<Command, CommandError> parse_command(std::string_view line) {
  // A NUL or CR inside a line is never part of a command (a CR here is not
  // at the end: LineReader removed that one).
  if (line.find_first_of(std::string_view("\0\r", 2)) != std::string_view::npos) {
    return CommandError{"invalid character in command", std::nullopt};
  }
  auto space = line.find(' ');
  auto keyword = line.substr(0, space);
  auto rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (keyword.empty()) return CommandError{"empty command", std::nullopt};
  Command c;
  std::size_t i = 0;
  while (i < kNames.size() && !ascii_iequals(keyword, kNames[i])) ++i;
  if (i == kNames.size()) {
    // Keep the text short and printable: it echoes the client's bytes.
    std::string shown;
    for (char ch : keyword.substr(0, 16)) shown += ch > 0x20 && ch < 0x7f ? ch : '?';
    return CommandError{"unknown command " + shown, std::nullopt};
  }
  c.verb = static_cast<Verb>(i);
  if (c.verb == Verb::pass) {
    if (rest.empty()) return refuse(c.verb, "takes the password as its argument");
    c.argument = rest;
    return c;
  }
  return with_arguments(std::move(c), rest);
}

}  // namespace postern::pop3
