// parse_command on FETCH and SEARCH, the two commands with a grammar of
// their own.
#include <gtest/gtest.h>

#include <chrono>

#include "imap/parser/command_parser.h"
#include "imap/parser/fetch_item_name.h"

namespace postern::imap {
namespace {

using namespace std::chrono;
using FKind = FetchItem::Kind;
using SKind = SearchKey::Kind;
using Text = Section::Text;

Fetch fetch(std::string_view text) {
  auto parsed = parse_command(text);
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error().text);
  if (!parsed) return {};
  return std::get<Fetch>(parsed->body);
}

Search search(std::string_view text) {
  auto parsed = parse_command(text);
  EXPECT_TRUE(parsed) << text << ": " << (parsed ? "" : parsed.error().text);
  if (!parsed) return {};
  return std::get<Search>(parsed->body);
}

std::vector<FKind> kinds(const Fetch& f) {
  std::vector<FKind> out;
  for (const auto& i : f.items) out.push_back(i.kind);
  return out;
}

TEST(ImapFetchTest, Macros) {
  EXPECT_EQ(kinds(fetch("a FETCH 1 ALL")),
            (std::vector{FKind::flags, FKind::internal_date, FKind::rfc822_size, FKind::envelope}));
  EXPECT_EQ(kinds(fetch("a FETCH 1 fast")),
            (std::vector{FKind::flags, FKind::internal_date, FKind::rfc822_size}));
  EXPECT_EQ(kinds(fetch("a FETCH 1 FULL")),
            (std::vector{FKind::flags, FKind::internal_date, FKind::rfc822_size, FKind::envelope,
                         FKind::body}));
  // A macro stands alone, never in a list.
  EXPECT_FALSE(parse_command("a FETCH 1 (ALL)"));
}

TEST(ImapFetchTest, SimpleItems) {
  auto f = fetch(
      "a FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE UID RFC822 "
      "RFC822.HEADER RFC822.TEXT)");
  EXPECT_EQ(kinds(f), (std::vector{FKind::flags, FKind::internal_date, FKind::rfc822_size,
                                   FKind::envelope, FKind::body, FKind::body_structure, FKind::uid,
                                   FKind::rfc822, FKind::rfc822_header, FKind::rfc822_text}));
  EXPECT_EQ(f.set.ranges, (std::vector<SeqRange>{{1, kStar}}));
  EXPECT_EQ(kinds(fetch("a FETCH 2 uid")), std::vector{FKind::uid});
}

TEST(ImapFetchTest, Sections) {
  auto f = fetch(
      "a FETCH 1 (BODY[] BODY.PEEK[1.2.3] BODY[HEADER] BODY[2.TEXT] BODY[1.MIME] body[text])");
  ASSERT_EQ(f.items.size(), 6u);
  EXPECT_EQ(f.items[0].kind, FKind::body_section);
  EXPECT_FALSE(f.items[0].peek);
  EXPECT_TRUE(f.items[0].section.part.empty());
  EXPECT_EQ(f.items[0].section.text, Text::all);
  EXPECT_TRUE(f.items[1].peek);
  EXPECT_EQ(f.items[1].section.part, (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(f.items[1].section.text, Text::all);
  EXPECT_EQ(f.items[2].section.text, Text::header);
  EXPECT_EQ(f.items[3].section.part, std::vector<std::uint32_t>{2});
  EXPECT_EQ(f.items[3].section.text, Text::text);
  EXPECT_EQ(f.items[4].section.text, Text::mime);
  EXPECT_EQ(f.items[5].section.text, Text::text);
}

TEST(ImapFetchTest, HeaderFieldsAndPartial) {
  auto f = fetch(
      "a UID FETCH 4:2 (BODY.PEEK[HEADER.FIELDS (From \"To\" {7}\r\nSubject)]<0.1024> "
      "BODY[1.HEADER.FIELDS.NOT (Received)])");
  ASSERT_EQ(f.items.size(), 2u);
  const auto& a = f.items[0];
  EXPECT_TRUE(a.peek);
  EXPECT_EQ(a.section.text, Text::header_fields);
  EXPECT_EQ(a.section.fields, (std::vector<std::string>{"From", "To", "Subject"}));
  ASSERT_TRUE(a.partial);
  EXPECT_EQ(a.partial->start, 0u);
  EXPECT_EQ(a.partial->count, 1024u);
  const auto& b = f.items[1];
  EXPECT_EQ(b.section.part, std::vector<std::uint32_t>{1});
  EXPECT_EQ(b.section.text, Text::header_fields_not);
  EXPECT_EQ(b.section.fields, std::vector<std::string>{"Received"});
  EXPECT_FALSE(b.partial);
}

TEST(ImapSearchTest, EveryKey) {
  auto s = search(
      "a SEARCH ALL ANSWERED BCC x BEFORE 1-Feb-1994 BODY y CC z DELETED DRAFT FLAGGED FROM w "
      "HEADER X-Mailer \"\" KEYWORD $Junk LARGER 100 NEW NOT SEEN OLD ON \"01-Feb-1994\" "
      "OR SEEN FLAGGED RECENT SEEN SENTBEFORE 2-Mar-2000 SENTON 3-Apr-2001 SENTSINCE 4-May-2002 "
      "SINCE 5-Jun-2003 SMALLER 5 SUBJECT s TEXT t TO u UID 1:5 UNANSWERED UNDELETED UNDRAFT "
      "UNFLAGGED UNKEYWORD foo UNSEEN 2,4:*");
  const auto& keys = s.program.children;
  std::vector<SKind> expected{
      SKind::all,         SKind::answered, SKind::bcc,        SKind::before,    SKind::body,
      SKind::cc,          SKind::deleted,  SKind::draft,      SKind::flagged,   SKind::from,
      SKind::header,      SKind::keyword,  SKind::larger,     SKind::new_,      SKind::not_,
      SKind::old,         SKind::on,       SKind::or_,        SKind::recent,    SKind::seen,
      SKind::sent_before, SKind::sent_on,  SKind::sent_since, SKind::since,     SKind::smaller,
      SKind::subject,     SKind::text,     SKind::to,         SKind::uid,       SKind::unanswered,
      SKind::undeleted,   SKind::undraft,  SKind::unflagged,  SKind::unkeyword, SKind::unseen,
      SKind::sequence_set};
  ASSERT_EQ(keys.size(), expected.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(keys[i].kind, expected[i]) << i;
  EXPECT_EQ(s.program.kind, SKind::and_);
  EXPECT_EQ(keys[2].value, "x");
  EXPECT_EQ(keys[3].date, 1994y / February / 1);
  EXPECT_EQ(keys[10].field, "X-Mailer");
  EXPECT_EQ(keys[10].value, "");
  EXPECT_EQ(keys[11].value, "$Junk");
  EXPECT_EQ(keys[12].size, 100u);
  EXPECT_EQ(keys[14].children.at(0).kind, SKind::seen);
  EXPECT_EQ(keys[16].date, 1994y / February / 1);
  EXPECT_EQ(keys[17].children.at(1).kind, SKind::flagged);
  EXPECT_EQ(keys[28].set.ranges, (std::vector<SeqRange>{{1, 5}}));
  EXPECT_EQ(keys[33].value, "foo");
  EXPECT_EQ(keys[35].set.ranges, (std::vector<SeqRange>{{2, 2}, {4, kStar}}));
  EXPECT_FALSE(s.charset);
  EXPECT_FALSE(s.result);
}

TEST(ImapSearchTest, NestedGroups) {
  auto s = search("a SEARCH OR (FROM a (TO b NOT (CC c))) NOT (OR SEEN (DELETED)) UNSEEN");
  ASSERT_EQ(s.program.children.size(), 2u);
  EXPECT_EQ(s.program.children[1].kind, SKind::unseen);
  const auto& or_ = s.program.children[0];
  EXPECT_EQ(or_.kind, SKind::or_);
  const auto& group = or_.children.at(0);
  EXPECT_EQ(group.kind, SKind::and_);
  EXPECT_EQ(group.children.at(0).kind, SKind::from);
  const auto& inner = group.children.at(1);
  EXPECT_EQ(inner.kind, SKind::and_);
  EXPECT_EQ(inner.children.at(1).kind, SKind::not_);
  EXPECT_EQ(inner.children.at(1).children.at(0).children.at(0).value, "c");
  EXPECT_EQ(or_.children.at(1).kind, SKind::not_);
}

TEST(ImapSearchTest, DeepNestingIsRefused) {
  std::string deep = "a SEARCH " + std::string(40, '(') + "ALL" + std::string(40, ')');
  EXPECT_EQ(parse_command(deep).error().text, "Search criteria nested too deeply");
  std::string nots = "a SEARCH ";
  for (int i = 0; i < 5000; ++i) nots += "NOT ";
  EXPECT_EQ(parse_command(nots + "ALL").error().text, "Search criteria nested too deeply");
  EXPECT_TRUE(parse_command("a SEARCH " + std::string(20, '(') + "ALL" + std::string(20, ')')));
}

TEST(ImapSearchTest, CharsetAndLiteralStrings) {
  auto s = search("a SEARCH CHARSET utf-8 SUBJECT {6}\r\ncaf\xc3\xa9! FROM \"\\\"x\\\"\"");
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_EQ(s.program.children.at(0).value, "caf\xc3\xa9!");
  EXPECT_EQ(s.program.children.at(1).value, "\"x\"");
}

// RFC 9051's quoted strings hold UTF-8, and mutt 2.2 sends its search text so
// (`UID SEARCH BODY "Straße"`); RFC 3501's were 7-bit.
TEST(ImapSearchTest, QuotedStringsTakeUtf8) {
  auto s = search("a SEARCH BODY \"Straße\" SUBJECT \"Köln \\\"✓\\\"\"");
  EXPECT_EQ(s.program.children.at(0).value, "Straße");
  EXPECT_EQ(s.program.children.at(1).value, "Köln \"✓\"");
  auto select = parse_command("a SELECT \"Entwürfe\"");  // the session decodes the name
  ASSERT_TRUE(select);
  EXPECT_EQ(std::get<Select>(select->body).mailbox.raw, "Entwürfe");
}

TEST(ImapSearchTest, ReturnOptions) {
  auto command = parse_command("a UID SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 UNSEEN");
  ASSERT_TRUE(command);
  EXPECT_TRUE(command->uid);
  auto s = std::get<Search>(command->body);
  ASSERT_TRUE(s.result);
  EXPECT_TRUE(s.result->min && s.result->max && s.result->count);
  EXPECT_FALSE(s.result->all);
  EXPECT_EQ(s.charset, "UTF-8");
  s = search("a SEARCH RETURN () 1:*");
  ASSERT_TRUE(s.result);
  EXPECT_TRUE(s.result->all);
  EXPECT_FALSE(s.result->min || s.result->max || s.result->count);
}

TEST(ImapSearchTest, SequenceSetsWithStar) {
  auto s = search("a SEARCH *:4 4:* 3:1");
  const auto& keys = s.program.children;
  EXPECT_EQ(keys.at(0).set.ranges, (std::vector<SeqRange>{{kStar, 4}}));
  EXPECT_EQ(keys.at(1).set.ranges, (std::vector<SeqRange>{{4, kStar}}));
  EXPECT_EQ(keys.at(0).set.resolve(10),
            (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{4, 10}}));
  EXPECT_EQ(keys.at(1).set.resolve(2),
            (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{2, 4}}));
  EXPECT_TRUE(keys.at(2).set.contains(2, 10));
}

}  // namespace
}  // namespace postern::imap

namespace postern::imap {
namespace {

TEST(ImapSearchTest, UnknownNamesAreEchoedShort) {
  EXPECT_EQ(parse_command("a SEARCH " + std::string(100, 'Z')).error().text,
            "Unknown search key " + std::string(32, 'z'));
  EXPECT_EQ(parse_command("a FETCH 1 " + std::string(100, 'Z')).error().text,
            "Unknown fetch item " + std::string(32, 'z'));
}

}  // namespace
}  // namespace postern::imap

namespace postern::imap {
namespace {

TEST(ImapFetchTest, ResponseNames) {
  auto parsed = parse_command(
      "a FETCH 1 (flags rfc822.size BODY.PEEK[] body[1.2] BODY[1.2.mime] "
      "BODY.PEEK[header.fields (From {8}\r\nX-(Odd)\")]<10.20> BODY[TEXT]<0.5> BODY "
      "BODYSTRUCTURE)");
  ASSERT_TRUE(parsed) << parsed.error().text;
  std::vector<std::string> names;
  for (const auto& item : std::get<Fetch>(parsed->body).items)
    names.push_back(fetch_item_name(item));
  EXPECT_EQ(names, (std::vector<std::string>{"FLAGS", "RFC822.SIZE", "BODY[]", "BODY[1.2]",
                                             "BODY[1.2.MIME]",
                                             "BODY[HEADER.FIELDS (From \"X-(Odd)\\\"\")]<10>",
                                             "BODY[TEXT]<0>", "BODY", "BODYSTRUCTURE"}));
}

}  // namespace
}  // namespace postern::imap
