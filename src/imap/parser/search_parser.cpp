// SEARCH arguments (RFC 3501 §6.4.4 with RFC 4731's RETURN options):
// [RETURN (...)] [CHARSET name] search-key *(SP search-key).
#include "core/ascii.h"
#include "imap/parser/rules.h"

namespace postern::imap::detail {
namespace {

using Kind = SearchKey::Kind;

// What a search key takes after its name.
enum class Argument { none, astring, date, number, keyword, header, set, one_key, two_keys };

struct KeyEntry {
  std::string_view name;
  Kind kind;
  Argument argument;
};

constexpr KeyEntry kKeys[] = {
    {"ALL", Kind::all, Argument::none},
    {"ANSWERED", Kind::answered, Argument::none},
    {"BCC", Kind::bcc, Argument::astring},
    {"BEFORE", Kind::before, Argument::date},
    {"BODY", Kind::body, Argument::astring},
    {"CC", Kind::cc, Argument::astring},
    {"DELETED", Kind::deleted, Argument::none},
    {"DRAFT", Kind::draft, Argument::none},
    {"FLAGGED", Kind::flagged, Argument::none},
    {"FROM", Kind::from, Argument::astring},
    {"HEADER", Kind::header, Argument::header},
    {"KEYWORD", Kind::keyword, Argument::keyword},
    {"LARGER", Kind::larger, Argument::number},
    {"NEW", Kind::new_, Argument::none},
    {"NOT", Kind::not_, Argument::one_key},
    {"OLD", Kind::old, Argument::none},
    {"ON", Kind::on, Argument::date},
    {"OR", Kind::or_, Argument::two_keys},
    {"RECENT", Kind::recent, Argument::none},
    {"SEEN", Kind::seen, Argument::none},
    {"SENTBEFORE", Kind::sent_before, Argument::date},
    {"SENTON", Kind::sent_on, Argument::date},
    {"SENTSINCE", Kind::sent_since, Argument::date},
    {"SINCE", Kind::since, Argument::date},
    {"SMALLER", Kind::smaller, Argument::number},
    {"SUBJECT", Kind::subject, Argument::astring},
    {"TEXT", Kind::text, Argument::astring},
    {"TO", Kind::to, Argument::astring},
    {"UID", Kind::uid, Argument::set},
    {"UNANSWERED", Kind::unanswered, Argument::none},
    {"UNDELETED", Kind::undeleted, Argument::none},
    {"UNDRAFT", Kind::undraft, Argument::none},
    {"UNFLAGGED", Kind::unflagged, Argument::none},
    {"UNKEYWORD", Kind::unkeyword, Argument::keyword},
    {"UNSEEN", Kind::unseen, Argument::none},
};

// Nesting is recursion: a bound keeps a hostile "NOT NOT NOT ..." or
// "((((..." from exhausting the stack.
constexpr int kMaxDepth = 32;

bool is_key_name_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

SearchKey parse_key(Cursor& cursor, int depth);

void parse_argument(Cursor& cursor, SearchKey& key, Argument argument, int depth) {
  if (argument == Argument::none) return;
  cursor.space("Missing argument of a search key");
  switch (argument) {
    case Argument::none:
      break;
    case Argument::astring:
      key.value = cursor.astring("search string");
      break;
    case Argument::date:
      key.date = cursor.date();
      break;
    case Argument::number:
      key.size = cursor.number("size");
      break;
    case Argument::keyword:
      key.value = std::string(cursor.atom());
      if (key.value.empty()) refuse("Invalid keyword");
      break;
    case Argument::header:
      key.field = cursor.header_field_name();
      cursor.space("Missing header value");
      key.value = cursor.astring("header value");
      break;
    case Argument::set:
      key.set = cursor.sequence_set();
      break;
    case Argument::one_key:
      key.children.push_back(parse_key(cursor, depth + 1));
      break;
    case Argument::two_keys:
      key.children.push_back(parse_key(cursor, depth + 1));
      cursor.space("Missing second search key of OR");
      key.children.push_back(parse_key(cursor, depth + 1));
      break;
  }
}

SearchKey parse_key(Cursor& cursor, int depth) {
  if (depth > kMaxDepth) refuse("Search criteria nested too deeply");
  SearchKey key;
  if (cursor.consume('(')) {
    key.kind = Kind::and_;
    do {
      key.children.push_back(parse_key(cursor, depth + 1));
    } while (cursor.try_space());
    cursor.expect(')', "Missing ) in search criteria");
    return key;
  }
  char c = cursor.peek();
  if ((c >= '0' && c <= '9') || c == '*') {
    key.kind = Kind::sequence_set;
    key.set = cursor.sequence_set();
    return key;
  }
  auto name = cursor.take_while(is_key_name_char);
  if (name.empty()) refuse(cursor.at_end() ? "Missing search criteria" : "Invalid search criteria");
  const KeyEntry* entry = nullptr;
  for (const auto& e : kKeys) {
    if (ascii_iequals(name, e.name)) entry = &e;
  }
  if (!entry) refuse("Unknown search key " + ascii_lowered(name.substr(0, kEchoedName)));
  key.kind = entry->kind;
  parse_argument(cursor, key, entry->argument, depth);
  return key;
}

SearchReturn parse_return_options(Cursor& cursor) {
  cursor.space("Missing RETURN options");
  cursor.expect('(', "Invalid RETURN options");
  SearchReturn result;
  if (cursor.consume(')')) {
    result.all = true;  // RFC 4731 §3.1: RETURN () is RETURN (ALL)
    return result;
  }
  do {
    if (cursor.keyword("MIN"))
      result.min = true;
    else if (cursor.keyword("MAX"))
      result.max = true;
    else if (cursor.keyword("ALL"))
      result.all = true;
    else if (cursor.keyword("COUNT"))
      result.count = true;
    else
      refuse("Unknown RETURN option");
  } while (cursor.try_space());
  cursor.expect(')', "Invalid RETURN options");
  return result;
}

}  // namespace

Search parse_search(Cursor& cursor) {
  Search search;
  search.program.kind = Kind::and_;
  cursor.space("Missing search criteria");
  // RFC 4466 §2.6: the return options come before CHARSET.
  if (cursor.keyword("RETURN")) {
    search.result = parse_return_options(cursor);
    cursor.space("Missing search criteria");
  }
  if (cursor.keyword("CHARSET")) {
    cursor.space("Missing charset");
    search.charset = uppered(cursor.astring("charset"));
    cursor.space("Missing search criteria");
  }
  do {
    search.program.children.push_back(parse_key(cursor, 1));
  } while (cursor.try_space());
  return search;
}

}  // namespace postern::imap::detail
