// parse_command: the tag, the command name and the arguments of every
// command but SEARCH and FETCH (search_parser.cpp, fetch_parser.cpp).
#include "imap/parser/command_parser.h"

#include "core/ascii.h"
#include "imap/parser/chars.h"
#include "imap/parser/rules.h"

namespace postern::imap {
namespace {

using detail::Cursor;
using detail::refuse;

// RFC 2971 §3.3: at most 30 pairs, fields of 30 octets, values of 1024.
constexpr std::size_t kMaxIdPairs = 30;
constexpr std::size_t kMaxIdField = 30;
constexpr std::size_t kMaxIdValue = 1024;

bool is_name_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

bool is_capability_char(char c) { return is_atom_char(c); }

Authenticate parse_authenticate(Cursor& c) {
  Authenticate a;
  c.space("Missing authentication mechanism");
  auto mechanism = c.atom();
  if (mechanism.empty()) refuse("Invalid authentication mechanism");
  a.mechanism = detail::uppered(mechanism);
  if (c.try_space()) {
    auto response = c.take_while(is_base64_char);
    if (response.empty()) refuse("Invalid initial response");
    a.initial_response = std::string(response);
  }
  return a;
}

Login parse_login(Cursor& c) {
  Login l;
  c.space("Missing user name");
  l.user = c.astring("user name");
  c.space("Missing password");
  l.password = c.astring("password");
  return l;
}

Mailbox one_mailbox(Cursor& c) {
  c.space("Missing mailbox name");
  return c.mailbox();
}

List parse_list(Cursor& c, bool subscribed_only) {
  List l;
  l.subscribed_only = subscribed_only;
  l.reference = one_mailbox(c);
  c.space("Missing mailbox pattern");
  if (c.at_string()) {
    l.pattern = c.string("mailbox pattern");
  } else {
    // list-char: ATOM-CHAR / list-wildcards / resp-specials
    l.pattern = std::string(
        c.take_while([](char ch) { return is_astring_char(ch) || ch == '%' || ch == '*'; }));
    if (l.pattern.empty()) detail::refuse_argument(c.at_end(), "mailbox pattern");
  }
  return l;
}

Status parse_status(Cursor& c) {
  Status s;
  s.mailbox = one_mailbox(c);
  c.space("Missing status items");
  c.expect('(', "Invalid status items");
  do {
    if (c.keyword("MESSAGES"))
      s.items.push_back(StatusItem::messages);
    else if (c.keyword("RECENT"))
      s.items.push_back(StatusItem::recent);
    else if (c.keyword("UIDNEXT"))
      s.items.push_back(StatusItem::uidnext);
    else if (c.keyword("UIDVALIDITY"))
      s.items.push_back(StatusItem::uidvalidity);
    else if (c.keyword("UNSEEN"))
      s.items.push_back(StatusItem::unseen);
    else
      refuse("Unknown status item");
  } while (c.try_space());
  c.expect(')', "Missing ) after status items");
  return s;
}

// APPEND mailbox [SP flag-list] [SP date-time] SP literal
Append parse_append(Cursor& c) {
  Append a;
  a.mailbox = one_mailbox(c);
  c.space("Missing message literal");
  if (c.peek() == '(') {
    a.flags = c.flag_list();
    c.space("Missing message literal");
  }
  if (c.peek() == '"') {
    a.internal_date = c.date_time();
    c.space("Missing message literal");
  }
  a.message = std::string(c.raw_literal("message literal"));
  return a;
}

Store parse_store(Cursor& c) {
  Store s;
  c.space("Missing sequence set");
  s.set = c.sequence_set();
  c.space("Missing store item");
  if (c.consume('+'))
    s.mode = Store::Mode::add;
  else if (c.consume('-'))
    s.mode = Store::Mode::remove;
  if (c.keyword("FLAGS.SILENT"))
    s.silent = true;
  else if (!c.keyword("FLAGS"))
    refuse("Invalid store item");
  c.space("Missing flags");
  if (c.peek() == '(') {
    s.flags = c.flag_list();
  } else {
    do {
      s.flags.push_back(c.flag());
    } while (c.try_space());
  }
  return s;
}

template <class T>
T parse_set_and_mailbox(Cursor& c) {
  T t;
  c.space("Missing sequence set");
  t.set = c.sequence_set();
  t.mailbox = one_mailbox(c);
  return t;
}

Id parse_id(Cursor& c) {
  Id id;
  c.space("Missing ID parameters");
  if (c.keyword("NIL")) return id;
  c.expect('(', "Invalid ID parameters");
  id.params.emplace();
  if (c.consume(')')) return id;
  do {
    auto field = c.string("ID field");
    c.space("Missing ID value");
    auto value = c.nstring("ID value");
    if (field.size() > kMaxIdField || (value && value->size() > kMaxIdValue) ||
        id.params->size() == kMaxIdPairs) {
      refuse("ID parameters too long");
    }
    id.params->emplace_back(std::move(field), std::move(value));
  } while (c.try_space());
  c.expect(')', "Missing ) after ID parameters");
  return id;
}

Enable parse_enable(Cursor& c) {
  Enable e;
  c.space("Missing capability names");
  do {
    auto name = c.take_while(is_capability_char);
    if (name.empty()) detail::refuse_argument(c.at_end(), "capability name");
    e.capabilities.push_back(detail::uppered(name));
  } while (c.try_space());
  return e;
}

Expunge parse_expunge(Cursor& c, bool uid) {
  Expunge e;
  if (uid) {
    c.space("Missing sequence set");
    e.uids = c.sequence_set();
  }
  return e;
}

// The command named `name` (upper case), its arguments read from `c`.
std::optional<CommandBody> parse_body(std::string_view name, bool uid, Cursor& c) {
  if (uid) {
    if (name == "FETCH") return detail::parse_fetch(c);
    if (name == "SEARCH") return detail::parse_search(c);
    if (name == "STORE") return parse_store(c);
    if (name == "COPY") return parse_set_and_mailbox<Copy>(c);
    if (name == "MOVE") return parse_set_and_mailbox<Move>(c);
    if (name == "EXPUNGE") return parse_expunge(c, true);
    return std::nullopt;
  }
  if (name == "CAPABILITY") return Capability{};
  if (name == "NOOP") return Noop{};
  if (name == "LOGOUT") return Logout{};
  if (name == "STARTTLS") return StartTls{};
  if (name == "CHECK") return Check{};
  if (name == "CLOSE") return Close{};
  if (name == "UNSELECT") return Unselect{};
  if (name == "IDLE") return Idle{};
  if (name == "NAMESPACE") return Namespace{};
  if (name == "AUTHENTICATE") return parse_authenticate(c);
  if (name == "LOGIN") return parse_login(c);
  if (name == "SELECT") return Select{one_mailbox(c), false};
  if (name == "EXAMINE") return Select{one_mailbox(c), true};
  if (name == "CREATE") return Create{one_mailbox(c)};
  if (name == "DELETE") return Delete{one_mailbox(c)};
  if (name == "RENAME") {
    auto from = one_mailbox(c);
    return Rename{std::move(from), one_mailbox(c)};
  }
  if (name == "SUBSCRIBE") return Subscribe{one_mailbox(c)};
  if (name == "UNSUBSCRIBE") return Unsubscribe{one_mailbox(c)};
  if (name == "LIST") return parse_list(c, false);
  if (name == "LSUB") return parse_list(c, true);
  if (name == "STATUS") return parse_status(c);
  if (name == "APPEND") return parse_append(c);
  if (name == "EXPUNGE") return parse_expunge(c, false);
  if (name == "SEARCH") return detail::parse_search(c);
  if (name == "FETCH") return detail::parse_fetch(c);
  if (name == "STORE") return parse_store(c);
  if (name == "COPY") return parse_set_and_mailbox<Copy>(c);
  if (name == "MOVE") return parse_set_and_mailbox<Move>(c);
  if (name == "ID") return parse_id(c);
  if (name == "ENABLE") return parse_enable(c);
  return std::nullopt;
}

}  // namespace

Result<Command, ParseError> parse_command(std::string_view text) {
  Cursor c(text);
  Command command;
  ParseError error;
  if (c.at_end()) return ParseError{{}, {}, "Empty command line"};
  auto tag = c.take_while(is_tag_char);
  if (tag.empty() || (!c.at_end() && c.peek() != ' ')) return ParseError{{}, {}, "Invalid tag"};
  command.tag = error.tag = std::string(tag);
  // A known name is said with a refusal of its arguments; parse_body
  // refuses nothing before it has recognised the name.
  bool known = false;
  try {
    c.space("Missing command");
    command.name = detail::uppered(c.take_while(is_name_char));
    if (command.name == "UID") {
      command.uid = true;
      c.space("Missing command after UID");
      command.name = detail::uppered(c.take_while(is_name_char));
    }
    if (!c.at_end() && c.peek() != ' ') refuse("Unknown command");
    known = true;
    auto body = parse_body(command.name, command.uid, c);
    if (!body) {
      known = false;
      refuse(command.uid ? "Unknown UID command" : "Unknown command");
    }
    c.expect_end();
    command.body = std::move(*body);
  } catch (const detail::Refusal& refusal) {
    if (known) error.name = command.name;
    error.text = refusal.text;
    return error;
  }
  return command;
}

bool is_idle_done(std::string_view line) { return ascii_iequals(line, "DONE"); }

}  // namespace postern::imap
