// parse_command: verbs, their arguments and the ESMTP parameters of MAIL,
// RCPT, BDAT and AUTH (see command.h).
#include <algorithm>
#include <array>
#include <vector>

#include "core/address.h"
#include "core/ascii.h"
#include "core/decimal.h"
#include "core/header_value.h"
#include "smtp/parser/command.h"

namespace postern::smtp {
namespace {

struct VerbEntry {
  std::string_view name;
  Verb verb;
};

constexpr std::array<VerbEntry, kVerbCount> kVerbs{{
    {"EHLO", Verb::ehlo},
    {"HELO", Verb::helo},
    {"MAIL", Verb::mail},
    {"RCPT", Verb::rcpt},
    {"DATA", Verb::data},
    {"BDAT", Verb::bdat},
    {"RSET", Verb::rset},
    {"NOOP", Verb::noop},
    {"QUIT", Verb::quit},
    {"VRFY", Verb::vrfy},
    {"HELP", Verb::help},
    {"STARTTLS", Verb::starttls},
    {"AUTH", Verb::auth},
}};

// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, brackets included.
constexpr std::size_t kMaxPath = 256;

char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), to_upper);
  return out;
}

SyntaxError error(ReplyId reply, std::string detail = {}) {
  return SyntaxError{reply, std::move(detail)};
}

// esmtp-keyword (RFC 5321 §4.1.2) and esmtp-value, with UTF-8 allowed in
// values (RFC 6531 §3.3).
bool valid_keyword(std::string_view k) {
  auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  return !k.empty() && alnum(k.front()) &&
         std::all_of(k.begin(), k.end(), [&](char c) { return alnum(c) || c == '-'; });
}

bool valid_value(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (u >= 33 && u <= 126 && u != '=');
  });
}

struct Parameter {
  std::string key;  // upper-cased
  std::string_view value;
  bool has_value = false;
};

Result<std::vector<Parameter>, SyntaxError> parse_parameters(std::string_view text) {
  std::vector<Parameter> out;
  for (auto word : split_words(text)) {
    Parameter p;
    auto eq = word.find('=');
    p.key = upper(word.substr(0, eq));
    if (eq != std::string_view::npos) {
      p.value = word.substr(eq + 1);
      p.has_value = true;
      if (!valid_value(p.value))
        return error(ReplyId::syntax_error, "Bad value of parameter " + p.key);
    }
    if (!valid_keyword(p.key)) return error(ReplyId::syntax_error, "Bad parameter syntax");
    bool duplicate =
        std::any_of(out.begin(), out.end(), [&](const Parameter& q) { return q.key == p.key; });
    if (duplicate) return error(ReplyId::syntax_error, "Duplicate parameter " + p.key);
    out.push_back(std::move(p));
  }
  return out;
}

struct PathAndRest {
  std::string_view mailbox;
  std::string_view rest;
};

// "<[source-route:]mailbox>" followed by nothing or a space. A '>' inside a
// quoted local part does not end the path.
std::optional<PathAndRest> split_path(std::string_view s) {
  if (s.empty() || s.front() != '<') return std::nullopt;
  bool quoted = false;
  std::size_t i = 1;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '>') {
      break;
    }
  }
  if (i >= s.size() || i + 1 > kMaxPath) return std::nullopt;
  auto inner = s.substr(1, i - 1);
  auto rest = s.substr(i + 1);
  if (!rest.empty() && !is_space(rest.front())) return std::nullopt;
  if (!inner.empty() && inner.front() == '@') {
    auto colon = inner.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    inner.remove_prefix(colon + 1);
  }
  return PathAndRest{inner, rest};
}

Result<Command, SyntaxError> parse_mail(Command c, std::string_view rest) {
  if (!ascii_istarts_with(rest, "FROM:"))
    return error(ReplyId::syntax_error, "Syntax: MAIL FROM:<address>");
  auto path = split_path(trim_blanks(rest.substr(5)));
  if (!path) return error(ReplyId::bad_sender_syntax);
  if (!path->mailbox.empty() && !validate_address(path->mailbox))
    return error(ReplyId::bad_sender_syntax);
  c.path = std::string(path->mailbox);
  auto params = parse_parameters(path->rest);
  if (!params) return params.error();
  for (const auto& p : *params) {
    if (p.key == "SIZE") {
      // Saturates instead of failing, so that an absurd SIZE= is answered
      // as "too big", not as a syntax error.
      auto size =
          p.has_value ? parse_decimal<std::uint64_t>(p.value, OnOverflow::saturate) : std::nullopt;
      if (!size) return error(ReplyId::syntax_error, "Bad SIZE parameter");
      c.size = size;
    } else if (p.key == "BODY") {
      if (ascii_iequals(p.value, "7BIT"))
        c.body = BodyType::seven_bit;
      else if (ascii_iequals(p.value, "8BITMIME"))
        c.body = BodyType::eight_bit_mime;
      else
        return error(ReplyId::parameter_unsupported, "Unsupported BODY type");
    } else if (p.key == "SMTPUTF8") {
      if (p.has_value) return error(ReplyId::syntax_error, "SMTPUTF8 takes no value");
      c.smtputf8 = true;
    } else if (p.key == "AUTH") {
      // RFC 4954 §5: the AUTH= identity of a relaying client; ignored.
    } else {
      return error(ReplyId::parameter_unsupported, "Unsupported parameter " + p.key);
    }
  }
  return c;
}

Result<Command, SyntaxError> parse_rcpt(Command c, std::string_view rest) {
  if (!ascii_istarts_with(rest, "TO:"))
    return error(ReplyId::syntax_error, "Syntax: RCPT TO:<address>");
  auto path = split_path(trim_blanks(rest.substr(3)));
  if (!path || path->mailbox.empty() || !validate_address(path->mailbox)) {
    return error(ReplyId::bad_recipient_syntax);
  }
  c.path = std::string(path->mailbox);
  auto params = parse_parameters(path->rest);
  if (!params) return params.error();
  for (const auto& p : *params) {
    // ORCPT (RFC 3461) only matters for DSNs, which are not offered: ignored.
    if (p.key != "ORCPT")
      return error(ReplyId::parameter_unsupported, "Unsupported parameter " + p.key);
  }
  return c;
}

Result<Command, SyntaxError> parse_bdat(Command c, std::string_view rest) {
  auto words = split_words(rest);
  auto size = words.empty() ? std::nullopt : parse_decimal<std::uint64_t>(words[0]);
  if (!size || words.size() > 2 || (words.size() == 2 && !ascii_iequals(words[1], "LAST"))) {
    return error(ReplyId::syntax_error, "Syntax: BDAT size [LAST]");
  }
  c.chunk_size = *size;
  c.last = words.size() == 2;
  return c;
}

Result<Command, SyntaxError> parse_auth(Command c, std::string_view rest) {
  auto words = split_words(rest);
  if (words.empty() || words.size() > 2)
    return error(ReplyId::syntax_error, "Syntax: AUTH mechanism [initial-response]");
  c.argument = upper(words[0]);
  if (words.size() == 2) c.initial_response = std::string(words[1]);
  return c;
}

Result<Command, SyntaxError> parse_arguments(Command c, std::string_view name,
                                             std::string_view rest) {
  switch (c.verb) {
    case Verb::ehlo:
    case Verb::helo: {
      auto words = split_words(rest);
      if (words.empty())
        return error(ReplyId::syntax_error, "Syntax: " + std::string(name) + " hostname");
      c.argument =
          std::string(words[0]);  // anything after the domain is ignored, as most servers do
      return c;
    }
    case Verb::mail:
      return parse_mail(std::move(c), rest);
    case Verb::rcpt:
      return parse_rcpt(std::move(c), rest);
    case Verb::bdat:
      return parse_bdat(std::move(c), rest);
    case Verb::auth:
      return parse_auth(std::move(c), rest);
    case Verb::data:
    case Verb::rset:
    case Verb::quit:
    case Verb::starttls:
      if (!rest.empty()) return error(ReplyId::syntax_error, "Syntax: " + std::string(name));
      return c;
    case Verb::vrfy:
      if (rest.empty()) return error(ReplyId::syntax_error, "Syntax: VRFY address");
      c.argument = std::string(rest);
      return c;
    case Verb::noop:
    case Verb::help:
    case Verb::count_:
      c.argument = std::string(rest);
      return c;
  }
  return c;
}

}  // namespace

std::string_view verb_name(Verb verb) {
  for (const auto& e : kVerbs) {
    if (e.verb == verb) return e.name;
  }
  return "?";
}

bool is_auth_line(std::string_view line) {
  return ascii_istarts_with(line, "AUTH") && (line.size() == 4 || is_space(line[4]));
}

Result<Command, SyntaxError> parse_command(std::string_view line) {
  line = trim_blanks(line);
  auto space = std::find_if(line.begin(), line.end(), is_space) - line.begin();
  auto word = line.substr(0, static_cast<std::size_t>(space));
  auto rest = trim_blanks(line.substr(static_cast<std::size_t>(space)));
  auto entry = std::find_if(kVerbs.begin(), kVerbs.end(),
                            [&](const VerbEntry& e) { return ascii_iequals(e.name, word); });
  if (entry == kVerbs.end()) return error(ReplyId::command_unrecognized);
  Command c;
  c.verb = entry->verb;
  auto parsed = parse_arguments(std::move(c), entry->name, rest);
  if (!parsed) {
    auto e = parsed.error();
    e.verb = entry->verb;
    return e;
  }
  return parsed;
}

}  // namespace postern::smtp
