// BODY[section]<partial> cut out of stored bytes (RFC 3501 §6.4.5). The
// comparison with Dovecot covers the CRLF samples section by section; these
// cases state the rules on their own, and cover bare LF and the parser.
#include "mime/imap_section.h"

#include <gtest/gtest.h>

#include "imap_samples.h"

namespace postern::mime {
namespace {

std::string fetch(const std::string& raw, std::string_view spec,
                  std::optional<Partial> partial = std::nullopt) {
  auto section = parse_section(spec);
  EXPECT_TRUE(section) << spec;
  return section ? section_bytes(raw, *section, partial) : "<invalid>";
}

struct Case {
  std::string sample;
  std::string spec;
  std::string bytes;
};

const Case kCases[] = {
    {"nested_message", "1", "Forwarding this."},
    {"nested_message", "1.MIME", "Content-Type: text/plain; charset=us-ascii\r\n\r\n"},
    // Past a message/rfc822 part numbers go into the message it holds.
    {"nested_message", "2.HEADER.FIELDS (subject date)",
     "Subject: original\r\nDate: Sun, 29 Nov 2026 08:00:00 +0100\r\n\r\n"},
    {"nested_message", "2.1", "Inner text, default type."},
    // The line break before a delimiter belongs to the delimiter.
    {"nested_message", "2.2", "a,b\r\n1,2"},
    {"nested_message", "2.2.MIME",
     "Content-Type: text/csv; name=data.csv\r\n"
     "Content-Disposition: attachment; filename=data.csv\r\n\r\n"},
    {"nested_message", "2.3", ""},
    {"nested_message", "1.HEADER", ""},  // not a message/rfc822 part
    {"nested_message", "9.9.9", ""},
    // Part 1 of a message that is not multipart is its body.
    {"single_message_part", "1",
     "From: b@example.com\r\nSubject: inner plain\r\n\r\ninner body\r\n"},
    {"single_message_part", "1.1", "inner body\r\n"},
    {"single_message_part", "1.TEXT", "inner body\r\n"},
    {"plain", "1", "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"},
    {"plain", "2", ""},
    {"plain", "HEADER.FIELDS.NOT (Date From Subject To Message-Id MIME-Version)",
     "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n"},
    {"folded_headers", "HEADER.FIELDS (SUBJECT)", "Subject: a folded\r\n\tsubject line\r\n\r\n"},
    {"no_body", "HEADER", "From: a@example.com\r\nSubject: only a header\r\n"},
    {"no_body", "TEXT", ""},
    // Bare LF messages are served as stored: their own line ends.
    {"bare_lf", "1", "one"},
    {"bare_lf", "2.MIME", "Content-Type: text/html\n\n"},
    {"bare_lf", "HEADER.FIELDS (SUBJECT)", "Subject: bare LF\n\r\n"},
    {"bare_lf", "HEADER.FIELDS.NOT (FROM SUBJECT CONTENT-TYPE)", "\n"},
    {"bare_lf", "TEXT", "--z\n\none\n--z\nContent-Type: text/html\n\n<b>two</b>\n--z--\n"},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.sample << " BODY[" << c.spec << "]"; }

class SectionTable : public ::testing::TestWithParam<Case> {};

TEST_P(SectionTable, CutsTheBytes) {
  const Case& c = GetParam();
  EXPECT_EQ(fetch(test::imap_sample(c.sample), c.spec), c.bytes);
}

INSTANTIATE_TEST_SUITE_P(Samples, SectionTable, ::testing::ValuesIn(kCases));

TEST(ImapSection, EmptySectionIsTheWholeMessage) {
  const std::string& raw = test::imap_sample("mixed");
  EXPECT_EQ(fetch(raw, ""), raw);
  EXPECT_EQ(fetch(raw, "HEADER") + fetch(raw, "TEXT"), raw);
}

TEST(ImapSection, PartialIsAppliedHere) {
  const std::string& raw = test::imap_sample("plain");
  EXPECT_EQ(fetch(raw, "1", Partial{0, 5}), "Hello");
  EXPECT_EQ(fetch(raw, "1", Partial{6, 3}), "Joe");
  EXPECT_EQ(fetch(raw, "1", Partial{50, 100}), "ow?\r\n");  // cut at the end
  EXPECT_EQ(fetch(raw, "1", Partial{55, 1}), "");           // start at the end
  EXPECT_EQ(fetch(raw, "1", Partial{1000, 1}), "");
  EXPECT_EQ(fetch(raw, "1", Partial{0, 0}), "");
}

TEST(ImapSection, LabelsAsDovecotEchoesThem) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},
      {"1.2.3", "1.2.3"},
      {"header", "HEADER"},
      {"2.mime", "2.MIME"},
      {"4.text", "4.TEXT"},
      {"header.fields (from \"x-y\" \"a b\")", "HEADER.FIELDS (FROM X-Y \"A B\")"},
      {"1.Header.Fields.Not (Received)", "1.HEADER.FIELDS.NOT (RECEIVED)"},
  };
  for (const auto& [spec, label] : cases) {
    auto section = parse_section(spec);
    ASSERT_TRUE(section) << spec;
    EXPECT_EQ(section_label(*section), label);
    auto again = parse_section(label);
    ASSERT_TRUE(again) << label;
    EXPECT_EQ(section_label(*again), label);
  }
}

TEST(ImapSection, OneParseServesManySections) {
  const std::string& raw = test::imap_sample("nested_message");
  MessageSections sections(raw);
  for (std::string_view spec : {"", "1", "2.2.MIME", "2.HEADER", "TEXT", "9"}) {
    auto section = parse_section(spec);
    ASSERT_TRUE(section);
    EXPECT_EQ(sections.bytes(*section), section_bytes(raw, *section)) << spec;
    EXPECT_EQ(sections.bytes(*section, Partial{3, 7}), section_bytes(raw, *section, Partial{3, 7}));
  }
}

TEST(ImapSection, ParsesRfc3501Sections) {
  auto s = parse_section("1.2.3");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->part, (std::vector<std::uint32_t>{1, 2, 3}));
  EXPECT_EQ(s->text, SectionText::none);
  s = parse_section("4.1.MIME");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->text, SectionText::mime);
  s = parse_section("header.fields.not (\"X-A\" Received)");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->text, SectionText::header_fields_not);
  EXPECT_EQ(s->fields, (std::vector<std::string>{"X-A", "Received"}));
  s = parse_section("2.TEXT");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->text, SectionText::text);
  for (std::string_view bad : {"0", "1.", ".1", "1..2", "MIME", "HEADER.FIELDS", "HEADER.FIELDS ()",
                               "HEADER.FIELDS (A", "TEXT ", "BODY", "1.X", "99999999999"}) {
    EXPECT_FALSE(parse_section(bad)) << bad;
  }
}

}  // namespace
}  // namespace postern::mime
