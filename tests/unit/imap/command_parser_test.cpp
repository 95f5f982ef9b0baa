// parse_command on every command, and on what a client gets BAD for.
#include "imap/parser/command_parser.h"

#include <gtest/gtest.h>

#include <chrono>

namespace postern::imap {
namespace {

using namespace std::chrono;
using namespace std::literals;

Command parse_ok(std::string_view text) {
  auto parsed = parse_command(text);
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error().text);
  return parsed ? *parsed : Command{};
}

template <class T>
T parse_as(std::string_view text) {
  auto command = parse_ok(text);
  auto* body = std::get_if<T>(&command.body);
  EXPECT_NE(body, nullptr) << text;
  return body ? *body : T{};
}

SequenceSet set_of(std::initializer_list<SeqRange> ranges) { return SequenceSet{ranges}; }

TEST(ImapParserTest, CommandsWithoutArguments) {
  struct Case {
    std::string_view text;
    std::string_view name;
    std::size_t index;
  };
  const Case cases[] = {
      {"a1 CAPABILITY", "CAPABILITY", CommandBody(Capability{}).index()},
      {"a2 noop", "NOOP", CommandBody(Noop{}).index()},
      {"a3 LogOut", "LOGOUT", CommandBody(Logout{}).index()},
      {"a4 STARTTLS", "STARTTLS", CommandBody(StartTls{}).index()},
      {"a5 CHECK", "CHECK", CommandBody(Check{}).index()},
      {"a6 CLOSE", "CLOSE", CommandBody(Close{}).index()},
      {"a7 UNSELECT", "UNSELECT", CommandBody(Unselect{}).index()},
      {"a8 IDLE", "IDLE", CommandBody(Idle{}).index()},
      {"a9 NAMESPACE", "NAMESPACE", CommandBody(Namespace{}).index()},
      {"b1 EXPUNGE", "EXPUNGE", CommandBody(Expunge{}).index()},
  };
  for (const auto& c : cases) {
    auto command = parse_ok(c.text);
    EXPECT_EQ(command.tag, c.text.substr(0, 2)) << c.text;
    EXPECT_EQ(command.name, c.name);
    EXPECT_FALSE(command.uid);
    EXPECT_EQ(command.body.index(), c.index) << c.text;
  }
  EXPECT_FALSE(parse_as<Expunge>("b1 EXPUNGE").uids);
}

TEST(ImapParserTest, Authenticate) {
  auto a = parse_as<Authenticate>("a AUTHENTICATE plain");
  EXPECT_EQ(a.mechanism, "PLAIN");
  EXPECT_FALSE(a.initial_response);
  a = parse_as<Authenticate>("a AUTHENTICATE PLAIN AHVzZXIAcGFzcw==");
  EXPECT_EQ(a.initial_response, "AHVzZXIAcGFzcw==");
  EXPECT_EQ(parse_as<Authenticate>("a AUTHENTICATE PLAIN =").initial_response, "=");
}

TEST(ImapParserTest, LoginWithAtomsQuotedStringsAndLiterals) {
  auto l = parse_as<Login>("a LOGIN joe secret");
  EXPECT_EQ(l.user, "joe");
  EXPECT_EQ(l.password, "secret");
  l = parse_as<Login>(R"(a LOGIN "joe smith" "a \"quoted\" \\ pass")");
  EXPECT_EQ(l.user, "joe smith");
  EXPECT_EQ(l.password, R"(a "quoted" \ pass)");
  l = parse_as<Login>("a LOGIN {3}\r\njoe {6+}\r\np\xc3\xa4ss)");
  EXPECT_EQ(l.user, "joe");
  EXPECT_EQ(l.password, "p\xc3\xa4ss)");
  l = parse_as<Login>("a LOGIN \"\" {0}\r\n");
  EXPECT_EQ(l.user, "");
  EXPECT_EQ(l.password, "");
  // ']' is an ASTRING-CHAR.
  EXPECT_EQ(parse_as<Login>("a LOGIN us]er x").user, "us]er");
}

TEST(ImapParserTest, MailboxCommands) {
  EXPECT_EQ(parse_as<Select>("a SELECT inbox").mailbox.raw, "INBOX");
  EXPECT_FALSE(parse_as<Select>("a SELECT inbox").read_only);
  auto examine = parse_as<Select>("a EXAMINE \"Entw&APw-rfe\"");
  EXPECT_EQ(examine.mailbox.raw, "Entw&APw-rfe");
  EXPECT_TRUE(examine.read_only);
  EXPECT_EQ(parse_as<Create>("a CREATE Sent").mailbox.raw, "Sent");
  EXPECT_EQ(parse_as<Delete>("a DELETE {5}\r\nTrash").mailbox.raw, "Trash");
  auto rename = parse_as<Rename>("a RENAME Old \"New Name\"");
  EXPECT_EQ(rename.from.raw, "Old");
  EXPECT_EQ(rename.to.raw, "New Name");
  EXPECT_EQ(parse_as<Subscribe>("a SUBSCRIBE Drafts").mailbox.raw, "Drafts");
  EXPECT_EQ(parse_as<Unsubscribe>("a UNSUBSCRIBE Drafts").mailbox.raw, "Drafts");
  // Only the whole name INBOX is case-insensitive.
  EXPECT_EQ(parse_as<Select>("a SELECT Inbox/Sub").mailbox.raw, "Inbox/Sub");
}

TEST(ImapParserTest, ListAndLsub) {
  auto l = parse_as<List>("a LIST \"\" *");
  EXPECT_EQ(l.reference.raw, "");
  EXPECT_EQ(l.pattern, "*");
  EXPECT_FALSE(l.subscribed_only);
  l = parse_as<List>("a LSUB \"\" %/]x*");
  EXPECT_EQ(l.pattern, "%/]x*");
  EXPECT_TRUE(l.subscribed_only);
  EXPECT_EQ(parse_as<List>("a LIST ~/Mail \"foo bar\"").pattern, "foo bar");
}

TEST(ImapParserTest, Status) {
  auto s = parse_as<Status>("a STATUS INBOX (MESSAGES recent UIDNEXT UIDVALIDITY UNSEEN)");
  EXPECT_EQ(s.mailbox.raw, "INBOX");
  EXPECT_EQ(s.items,
            (std::vector<StatusItem>{StatusItem::messages, StatusItem::recent, StatusItem::uidnext,
                                     StatusItem::uidvalidity, StatusItem::unseen}));
}

TEST(ImapParserTest, Append) {
  auto a = parse_as<Append>("a APPEND Sent {11}\r\nFrom: a\r\n\r\n");
  EXPECT_EQ(a.mailbox.raw, "Sent");
  EXPECT_TRUE(a.flags.empty());
  EXPECT_FALSE(a.internal_date);
  EXPECT_EQ(a.message, "From: a\r\n\r\n");
  a = parse_as<Append>(
      "a APPEND Drafts (\\seen \\DRAFT $Label) \"17-Jul-1996 02:44:25 -0700\" {3+}\r\nx\0y"sv);
  EXPECT_EQ(a.flags, (FlagList{"\\Seen", "\\Draft", "$Label"}));
  EXPECT_EQ(a.message, "x\0y"sv);  // NUL is kept in the message alone
  ASSERT_TRUE(a.internal_date);
  EXPECT_EQ(*a.internal_date, sys_days(1996y / July / 17) + 9h + 44min + 25s);
  // A day of one digit, with its leading space.
  a = parse_as<Append>("a APPEND x \" 1-Feb-2024 00:00:00 +0100\" {1}\r\nz");
  EXPECT_EQ(*a.internal_date, sys_days(2024y / January / 31) + 23h);
  EXPECT_EQ(parse_as<Append>("a APPEND x () {1}\r\nz").flags, FlagList{});
}

TEST(ImapParserTest, UidExpungeCopyMove) {
  auto command = parse_ok("a UID EXPUNGE 3:1,7");
  EXPECT_TRUE(command.uid);
  EXPECT_EQ(command.name, "EXPUNGE");
  auto e = std::get<Expunge>(command.body);
  ASSERT_TRUE(e.uids);
  EXPECT_EQ(*e.uids, set_of({{3, 1}, {7, 7}}));
  auto copy = parse_as<Copy>("a COPY 2:4 Trash");
  EXPECT_EQ(copy.set, set_of({{2, 4}}));
  EXPECT_EQ(copy.mailbox.raw, "Trash");
  auto move = parse_as<Move>("a uid move 1:* \"Archive/2024\"");
  EXPECT_EQ(move.set, set_of({{1, kStar}}));
  EXPECT_EQ(move.mailbox.raw, "Archive/2024");
  EXPECT_TRUE(parse_ok("a uid move 1:* x").uid);
}

TEST(ImapParserTest, Store) {
  auto s = parse_as<Store>("a STORE 1:3 +FLAGS (\\Deleted)");
  EXPECT_EQ(s.mode, Store::Mode::add);
  EXPECT_FALSE(s.silent);
  EXPECT_EQ(s.flags, FlagList{"\\Deleted"});
  s = parse_as<Store>("a UID STORE * -flags.silent \\Seen foo");
  EXPECT_EQ(s.set, set_of({{kStar, kStar}}));
  EXPECT_EQ(s.mode, Store::Mode::remove);
  EXPECT_TRUE(s.silent);
  EXPECT_EQ(s.flags, (FlagList{"\\Seen", "foo"}));
  s = parse_as<Store>("a STORE 4 FLAGS ()");
  EXPECT_EQ(s.mode, Store::Mode::replace);
  EXPECT_TRUE(s.flags.empty());
}

TEST(ImapParserTest, IdNamespaceEnable) {
  EXPECT_FALSE(parse_as<Id>("a ID NIL").params);
  auto id = parse_as<Id>("a ID (\"name\" \"mbsync\" \"version\" NIL)");
  ASSERT_TRUE(id.params);
  ASSERT_EQ(id.params->size(), 2u);
  EXPECT_EQ((*id.params)[0],
            (std::pair<std::string, std::optional<std::string>>("name", "mbsync")));
  EXPECT_EQ((*id.params)[1].second, std::nullopt);
  EXPECT_TRUE(parse_as<Id>("a ID ()").params->empty());
  EXPECT_EQ(parse_as<Enable>("a ENABLE condstore utf8=accept").capabilities,
            (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"}));
}

TEST(ImapParserTest, IdleDone) {
  EXPECT_TRUE(is_idle_done("DONE"));
  EXPECT_TRUE(is_idle_done("done"));
  EXPECT_FALSE(is_idle_done("DONE "));
  EXPECT_FALSE(is_idle_done("a DONE"));
}

// Refusals: the tag (when there is one), the command's name (when it was
// recognised) and the reason the client reads after BAD.
struct Refusal {
  std::string_view text;
  std::string_view tag;
  std::string_view name;
  std::string_view reason;
};

const Refusal kRefusals[] = {
    {"", "", "", "Empty command line"},
    {"+a NOOP", "", "", "Invalid tag"},
    {"a{1} NOOP", "", "", "Invalid tag"},
    {"a", "a", "", "Missing command"},
    {"a  NOOP", "a", "", "Unknown command"},
    {"a SELECT  x", "a", "SELECT", "Invalid mailbox name"},
    {"a LOGIN x  y", "a", "LOGIN", "Invalid password"},
    {"a FOO", "a", "", "Unknown command"},
    {"a NOOP2", "a", "", "Unknown command"},
    {"a UID LOGIN x y", "a", "", "Unknown UID command"},
    {"a UID", "a", "", "Missing command after UID"},
    {"a NOOP x", "a", "NOOP", "Unexpected arguments at the end of the command"},
    {"a LOGOUT ", "a", "LOGOUT", "Unexpected arguments at the end of the command"},
    {"a SELECT", "a", "SELECT", "Missing mailbox name"},
    {"a SELECT (x)", "a", "SELECT", "Invalid mailbox name"},
    {"a SELECT \"x", "a", "SELECT", "Unterminated quoted string"},
    {"a SELECT \"x\\y\"", "a", "SELECT", "Invalid escape in quoted string"},
    {"a SELECT \"Entw\xfcrfe\"", "a", "SELECT", "8-bit text must be UTF-8 or sent as a literal"},
    {"a SELECT x y", "a", "SELECT", "Unexpected arguments at the end of the command"},
    {"a LOGIN joe", "a", "LOGIN", "Missing password"},
    {"a LOGIN {5}\r\njoe", "a", "LOGIN", "Literal ended early"},
    {"a LOGIN {3} joe x", "a", "LOGIN", "Invalid literal"},
    {"a LOGIN {x}\r\njoe x", "a", "LOGIN", "Invalid literal"},
    {"a LOGIN {3}\r\nj\0e x"sv, "a", "LOGIN", "NUL in a literal"},
    {"a RENAME x", "a", "RENAME", "Missing mailbox name"},
    {"a LIST \"\"", "a", "LIST", "Missing mailbox pattern"},
    {"a STATUS x ()", "a", "STATUS", "Unknown status item"},
    {"a STATUS x (MESSAGES", "a", "STATUS", "Missing ) after status items"},
    {"a STATUS x MESSAGES", "a", "STATUS", "Invalid status items"},
    {"a APPEND x", "a", "APPEND", "Missing message literal"},
    {"a APPEND x \"hello\"", "a", "APPEND", "Invalid date-time"},
    {"a APPEND x \"30-Feb-2024 00:00:00 +0000\" {1}\r\nz", "a", "APPEND", "Invalid date-time"},
    {"a APPEND x (\\Seen) hello", "a", "APPEND", "Invalid message literal"},
    // Past what SystemTime holds.
    {"a APPEND x \"1-Jan-9999 00:00:00 +0000\" {1}\r\nz", "a", "APPEND", "Invalid date-time"},
    {"a APPEND x ( \\Seen) {1}\r\nz", "a", "APPEND", "Invalid flag"},
    {"a FETCH", "a", "FETCH", "Missing sequence set"},
    {"a FETCH 0 FLAGS", "a", "FETCH", "Invalid sequence set"},
    {"a FETCH 1,,2 FLAGS", "a", "FETCH", "Invalid sequence set"},
    {"a FETCH 1: FLAGS", "a", "FETCH", "Invalid sequence set"},
    {"a FETCH 4294967296 FLAGS", "a", "FETCH", "Invalid sequence set"},
    {"a FETCH 1x FLAGS", "a", "FETCH", "Invalid sequence set"},
    {"a FETCH 1", "a", "FETCH", "Missing fetch items"},
    {"a FETCH 1 BINARY[]", "a", "FETCH", "Unknown fetch item binary"},
    {"a FETCH 1 (FLAGS", "a", "FETCH", "Missing ) after fetch items"},
    {"a FETCH 1 BODY.PEEK", "a", "FETCH", "Invalid fetch item"},
    {"a FETCH 1 BODY[MIME]", "a", "FETCH", "Invalid section"},
    {"a FETCH 1 BODY[0]", "a", "FETCH", "Invalid section part"},
    {"a FETCH 1 BODY[1.]", "a", "FETCH", "Invalid section"},
    {"a FETCH 1 BODY[HEADER.FIELDS]", "a", "FETCH", "Expected a single space between arguments"},
    {"a FETCH 1 BODY[HEADER.FIELDS ()]", "a", "FETCH", "Invalid header field name"},
    {"a FETCH 1 BODY[HEADER.FIELDS (Fr:om)]", "a", "FETCH", "Invalid header field name"},
    {"a FETCH 1 BODY[TEXT", "a", "FETCH", "Missing ] after section"},
    {"a FETCH 1 BODY[]<1.0>", "a", "FETCH", "Invalid partial range"},
    {"a FETCH 1 BODY[]<1>", "a", "FETCH", "Invalid partial range"},
    {"a STORE 1 FLAGS", "a", "STORE", "Missing flags"},
    {"a STORE 1 +FLAGZ (x)", "a", "STORE", "Invalid store item"},
    {"a STORE 1 FLAGS (\\)", "a", "STORE", "Invalid flag"},
    {"a COPY 1", "a", "COPY", "Missing mailbox name"},
    {"a UID EXPUNGE", "a", "EXPUNGE", "Missing sequence set"},
    {"a EXPUNGE 1", "a", "EXPUNGE", "Unexpected arguments at the end of the command"},
    {"a SEARCH", "a", "SEARCH", "Missing search criteria"},
    {"a SEARCH FOO", "a", "SEARCH", "Unknown search key foo"},
    {"a SEARCH FROM", "a", "SEARCH", "Missing argument of a search key"},
    {"a SEARCH (SEEN", "a", "SEARCH", "Missing ) in search criteria"},
    {"a SEARCH ()", "a", "SEARCH", "Invalid search criteria"},
    {"a SEARCH OR SEEN", "a", "SEARCH", "Missing second search key of OR"},
    {"a SEARCH SINCE 1-Foo-2024", "a", "SEARCH", "Invalid date"},
    {"a SEARCH SINCE 31-Apr-2024", "a", "SEARCH", "Invalid date"},
    {"a SEARCH SINCE", "a", "SEARCH", "Missing argument of a search key"},
    {"a SEARCH LARGER x", "a", "SEARCH", "Invalid size"},
    {"a SEARCH LARGER 4294967296", "a", "SEARCH", "Invalid size"},
    {"a SEARCH UID 0", "a", "SEARCH", "Invalid sequence set"},
    {"a SEARCH RETURN (SAVE) ALL", "a", "SEARCH", "Unknown RETURN option"},
    {"a SEARCH CHARSET", "a", "SEARCH", "Missing charset"},
    {"a SEARCH SUBJECT \"caf\xe9\"", "a", "SEARCH",
     "8-bit text must be UTF-8 or sent as a literal"},
    {"a SEARCH SUBJECT \"caf\xc3\"", "a", "SEARCH",
     "8-bit text must be UTF-8 or sent as a literal"},
    {"a ID (\"name\")", "a", "ID", "Expected a single space between arguments"},
    {"a ID name", "a", "ID", "Invalid ID parameters"},
    {"a ENABLE", "a", "ENABLE", "Missing capability names"},
    {"a AUTHENTICATE", "a", "AUTHENTICATE", "Missing authentication mechanism"},
    {"a AUTHENTICATE PLAIN a*b", "a", "AUTHENTICATE",
     "Unexpected arguments at the end of the command"},
};

TEST(ImapParserTest, Refusals) {
  for (const auto& r : kRefusals) {
    auto parsed = parse_command(r.text);
    ASSERT_FALSE(parsed) << r.text;
    EXPECT_EQ(parsed.error().tag, r.tag) << r.text;
    EXPECT_EQ(parsed.error().name, r.name) << r.text;
    EXPECT_EQ(parsed.error().text, r.reason) << r.text;
  }
}

TEST(ImapParserTest, IdIsBounded) {
  std::string many = "a ID (";
  for (int i = 0; i < 31; ++i) many += "\"f\" \"v\" ";
  many.back() = ')';
  EXPECT_EQ(parse_command(many).error().text, "ID parameters too long");
  EXPECT_EQ(parse_command("a ID (\"" + std::string(31, 'f') + "\" NIL)").error().text,
            "ID parameters too long");
}

}  // namespace
}  // namespace postern::imap
