// CommandGenerator: see command_generator.h.
#include "command_generator.h"

#include <array>
#include <string_view>

namespace postern::imap::test {
namespace {

constexpr std::array<std::string_view, 8> kAtoms = {"INBOX", "Sent",   "x",    "Entw&APw-rfe",
                                                    "a.b",   "$Label", "foo]", "Q1"};
constexpr std::array<std::string_view, 6> kQuoted = {
    "\"\"", "\"two words\"", "\"q\\\"uote\"", "\"back\\\\slash\"", "\"(paren)\"", "\"{5}\""};
constexpr std::array<std::string_view, 5> kLiteralContent = {"", "joe", "caf\xc3\xa9", "a\r\nb",
                                                             "{3}\r\n)"};
constexpr std::array<std::string_view, 6> kSimple = {"CAPABILITY", "NOOP",      "LOGOUT",
                                                     "CHECK",      "NAMESPACE", "UNSELECT"};
constexpr std::array<std::string_view, 16> kKeysNoArg = {
    "ALL",  "ANSWERED", "DELETED", "DRAFT",      "FLAGGED",   "NEW",       "OLD", "RECENT",
    "SEEN", "UNSEEN",   "UNDRAFT", "UNANSWERED", "UNDELETED", "UNFLAGGED", "ALL", "SEEN"};
constexpr std::array<std::string_view, 8> kKeysString = {"BCC",     "BODY", "CC", "FROM",
                                                         "SUBJECT", "TEXT", "TO", "BODY"};
constexpr std::array<std::string_view, 6> kKeysDate = {"BEFORE",     "ON",     "SINCE",
                                                       "SENTBEFORE", "SENTON", "SENTSINCE"};
constexpr std::array<std::string_view, 10> kFetchAtts = {
    "FLAGS",         "INTERNALDATE", "RFC822.SIZE", "ENVELOPE",      "BODY",
    "BODYSTRUCTURE", "UID",          "RFC822",      "RFC822.HEADER", "RFC822.TEXT"};

}  // namespace

std::string CommandGenerator::tag() {
  static constexpr std::string_view kTagChars = "abcXYZ0123456789.-]";
  std::string t;
  for (std::size_t i = 0, n = 1 + pick(6); i < n; ++i) t += kTagChars[pick(kTagChars.size())];
  return t;
}

std::string CommandGenerator::atom() { return std::string(kAtoms[pick(kAtoms.size())]); }

std::string CommandGenerator::literal(std::string_view content) {
  return "{" + std::to_string(content.size()) + (pick(2) ? "+" : "") + "}\r\n" +
         std::string(content);
}

std::string CommandGenerator::astring() {
  switch (pick(3)) {
    case 0:
      return atom();
    case 1:
      return std::string(kQuoted[pick(kQuoted.size())]);
    default:
      return literal(kLiteralContent[pick(kLiteralContent.size())]);
  }
}

std::string CommandGenerator::mailbox() { return pick(4) ? astring() : "inbox"; }

std::string CommandGenerator::number() { return std::to_string(1 + pick(pick(2) ? 9 : 100000)); }

std::string CommandGenerator::sequence_set() {
  std::string s;
  for (std::size_t i = 0, n = 1 + pick(3); i < n; ++i) {
    if (i) s += ',';
    s += pick(5) ? number() : "*";
    if (pick(2)) s += ":" + (pick(4) ? number() : std::string("*"));
  }
  return s;
}

std::string CommandGenerator::flags() {
  static constexpr std::array<std::string_view, 6> kFlags = {"\\Seen", "\\deleted", "\\Answered",
                                                             "$Junk",  "\\Draft",   "\\Flagged"};
  std::string s = "(";
  for (std::size_t i = 0, n = pick(4); i < n; ++i) {
    if (i) s += ' ';
    s += kFlags[pick(kFlags.size())];
  }
  return s + ")";
}

std::string CommandGenerator::date() {
  static constexpr std::array<std::string_view, 4> kDates = {"1-Feb-1994", "\"28-feb-2024\"",
                                                             "31-Dec-1999", "\"9-Jul-2030\""};
  return std::string(kDates[pick(kDates.size())]);
}

std::string CommandGenerator::search_key(int depth) {
  switch (depth > 3 ? pick(4) : pick(9)) {
    case 0:
      return std::string(kKeysNoArg[pick(kKeysNoArg.size())]);
    case 1:
      return std::string(kKeysString[pick(kKeysString.size())]) + " " + astring();
    case 2:
      return std::string(kKeysDate[pick(kKeysDate.size())]) + " " + date();
    case 3:
      return pick(2) ? sequence_set() : "UID " + sequence_set();
    case 4:
      return "HEADER " + std::string(pick(2) ? "X-Mailer" : "{7}\r\nSubject") + " " + astring();
    case 5:
      return (pick(2) ? "LARGER " : "SMALLER ") + number();
    case 6:
      return "NOT " + search_key(depth + 1);
    case 7:
      return "OR " + search_key(depth + 1) + " " + search_key(depth + 1);
    default:
      return "(" + search_key(depth + 1) + " " + search_key(depth + 1) + ")";
  }
}

std::string CommandGenerator::section() {
  std::string part;
  for (std::size_t i = 0, n = pick(3); i < n; ++i) part += number() + ".";
  switch (pick(6)) {
    case 0:
      return "[" + (part.empty() ? part : part.substr(0, part.size() - 1)) + "]";
    case 1:
      return "[" + part + "HEADER]";
    case 2:
      return "[" + part + "TEXT]";
    case 3:
      return "[" + part + "HEADER.FIELDS (From " + literal("To") + ")]";
    case 4:
      return "[" + part + "HEADER.FIELDS.NOT (\"Received\")]<0." + number() + ">";
    default:
      return "[" + number() + ".MIME]";
  }
}

std::string CommandGenerator::fetch_items() {
  static constexpr std::array<std::string_view, 3> kMacros = {"ALL", "FAST", "FULL"};
  if (pick(5) == 0) return std::string(kMacros[pick(kMacros.size())]);
  std::string s = "(";
  for (std::size_t i = 0, n = 1 + pick(4); i < n; ++i) {
    if (i) s += ' ';
    if (pick(3))
      s += kFetchAtts[pick(kFetchAtts.size())];
    else
      s += (pick(2) ? "BODY.PEEK" : "body") + section();
  }
  return s + ")";
}

std::string CommandGenerator::command() {
  std::string t = tag() + " ";
  std::string uid = pick(2) ? "UID " : "";
  switch (pick(16)) {
    case 0:
      return t + std::string(kSimple[pick(kSimple.size())]) + "\r\n";
    case 1:
      return t + "LOGIN " + astring() + " " + astring() + "\r\n";
    case 2:
      return t + (pick(2) ? "SELECT " : "EXAMINE ") + mailbox() + "\r\n";
    case 3:
      return t + (pick(2) ? "CREATE " : "DELETE ") + mailbox() + "\r\n";
    case 4:
      return t + "RENAME " + mailbox() + " " + mailbox() + "\r\n";
    case 5:
      return t + (pick(2) ? "LIST " : "LSUB ") + mailbox() + " " + (pick(2) ? "%" : "\"*\"") +
             "\r\n";
    case 6:
      return t + "STATUS " + mailbox() + " (MESSAGES UIDNEXT UNSEEN)\r\n";
    case 7:
      return t + "APPEND " + mailbox() + (pick(2) ? " " + flags() : "") +
             (pick(2) ? " \"17-Jul-1996 02:44:25 -0700\"" : "") + " " +
             literal("From: a@example.test\r\n\r\nbody\r\n") + "\r\n";
    case 8:
      return t + uid + "SEARCH " + (pick(3) ? "" : "RETURN (MIN COUNT) ") +
             (pick(3) ? "" : "CHARSET UTF-8 ") + search_key(0) + "\r\n";
    case 9:
      return t + uid + "FETCH " + sequence_set() + " " + fetch_items() + "\r\n";
    case 10:
      return t + uid + "STORE " + sequence_set() + " " + (pick(2) ? "+" : "-") + "FLAGS" +
             (pick(2) ? ".SILENT " : " ") + flags() + "\r\n";
    case 11:
      return t + uid + (pick(2) ? "COPY " : "MOVE ") + sequence_set() + " " + mailbox() + "\r\n";
    case 12:
      return t + (uid.empty() ? "EXPUNGE" : "UID EXPUNGE " + sequence_set()) + "\r\n";
    case 13:
      return t + "ID " + (pick(2) ? "NIL" : "(\"name\" \"gen\" \"version\" NIL)") + "\r\n";
    case 14:
      return t + "ENABLE UTF8=ACCEPT CONDSTORE\r\n";
    default:
      return t + "AUTHENTICATE PLAIN" + (pick(2) ? " AHVzZXIAcGFzcw==" : "") + "\r\n";
  }
}

}  // namespace postern::imap::test
