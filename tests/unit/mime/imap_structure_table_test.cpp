// ENVELOPE, BODYSTRUCTURE and BODY of real-world message shapes, exact.
// Every expected string here was checked against Dovecot 2.3's answer for
// the same bytes (dovecot_compare_test.cpp repeats that check wherever
// dovecot-imapd is installed); this table holds them without Dovecot.
#include <gtest/gtest.h>

#include <string>

#include "imap_samples.h"
#include "mime/imap_string.h"
#include "mime/imap_structure.h"

namespace postern::mime {
namespace {

struct Expected {
  std::string sample;
  std::string envelope;
  std::string body_structure;
  std::string body;
};

// clang-format off
const Expected kTable[] = {
    {"plain",
     R"x(("Mon, 7 Feb 1994 21:52:25 -0800 (PST)" "afternoon meeting" (("Fred Foobar" NIL "foobar" "Blurdybloop.COM")) (("Fred Foobar" NIL "foobar" "Blurdybloop.COM")) (("Fred Foobar" NIL "foobar" "Blurdybloop.COM")) ((NIL NIL "mooch" "owatagu.siam.edu")) NIL NIL NIL "<B27397-0100000@Blurdybloop.COM>"))x",
     R"x(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7bit" 55 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 1))x"},
    {"alternative",
     R"x(("Tue, 1 Dec 2026 10:00:00 +0000" "Lunch?" (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) ((NIL NIL "bob" "example.org")("Carol, C." NIL "carol" "example.net")) ((NIL NIL "dave" "example.com")) NIL NIL "<alt-1@example.com>"))x",
     R"x((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 18 0 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "7bit" 47 1 NIL NIL NIL NIL) "alternative" ("boundary" "b1") NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 18 0)("text" "html" ("charset" "utf-8") NIL NIL "7bit" 47 1) "alternative"))x"},
    {"mixed",
     R"x((NIL "Weekly report" ((NIL NIL "reports" "example.com")) ((NIL NIL "reports" "example.com")) ((NIL NIL "reports" "example.com")) ((NIL NIL "team" "example.com")) NIL NIL NIL NIL))x",
     R"x(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 73 0 NIL NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL)("application" "pdf" ("name" "report.pdf") "<r1@example.com>" "The report" "base64" 12 NIL ("attachment" ("filename" "report.pdf")) ("en" "fr") "http://example.com/report.pdf")("image" "png" NIL NIL NIL "base64" 12 NIL ("inline" NIL) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL))x",
     R"x(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 73 0) "alternative")("application" "pdf" ("name" "report.pdf") "<r1@example.com>" "The report" "base64" 12)("image" "png" NIL NIL NIL "base64" 12) "mixed"))x"},
    {"nested_message",
     R"x((NIL "Fwd: original" ((NIL NIL "forwarder" "example.com")) ((NIL NIL "forwarder" "example.com")) ((NIL NIL "forwarder" "example.com")) ((NIL NIL "you" "example.com")) NIL NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 0 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 359 ("Sun, 29 Nov 2026 08:00:00 +0100" "original" (("Original Sender" NIL "orig" "example.org")) (("Original Sender" NIL "orig" "example.org")) (("Original Sender" NIL "orig" "example.org")) ((NIL NIL "forwarder" "example.com")) NIL NIL NIL "<orig@example.org>") (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 25 0 NIL NIL NIL NIL)("text" "csv" ("name" "data.csv" "charset" "us-ascii") NIL NIL "7bit" 8 1 NIL ("attachment" ("filename" "data.csv")) NIL NIL) "mixed" ("boundary" "in") NIL NIL NIL) 17 NIL ("attachment" NIL) NIL NIL) "mixed" ("boundary" "fw") NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 0)("message" "rfc822" NIL NIL NIL "7bit" 359 ("Sun, 29 Nov 2026 08:00:00 +0100" "original" (("Original Sender" NIL "orig" "example.org")) (("Original Sender" NIL "orig" "example.org")) (("Original Sender" NIL "orig" "example.org")) ((NIL NIL "forwarder" "example.com")) NIL NIL NIL "<orig@example.org>") (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 25 0)("text" "csv" ("name" "data.csv" "charset" "us-ascii") NIL NIL "7bit" 8 1) "mixed") 17) "mixed"))x"},
    {"single_message_part",
     R"x((NIL "bounce" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x(("message" "rfc822" NIL NIL NIL "7bit" 57 (NIL "inner plain" ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 12 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL))x",
     R"x(("message" "rfc822" NIL NIL NIL "7bit" 57 (NIL "inner plain" ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 12 1) 4))x"},
    {"groups",
     R"x((NIL "groups" (("Team Lead" NIL "lead" "example.com")) ((NIL NIL "robot" "example.com")) (("Team Lead" NIL "lead" "example.com")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "Friends" NIL)(NIL NIL "joe" "example.com")("Ann" NIL "ann" "example.com")(NIL NIL NIL NIL)(NIL NIL "solo" "example.net")) (("Hidden Person" NIL "hidden" "example.com")) NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1))x"},
    {"missing_headers",
     R"x((NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 19 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 19 1))x"},
    {"empty_values",
     R"x(("" "" ((NIL NIL "someone" "example.com")) ((NIL NIL "someone" "example.com")) ((NIL NIL "someone" "example.com")) NIL NIL NIL NIL ""))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1))x"},
    {"encoded_words",
     R"x((NIL {59})x" "\r\n" R"x(=?utf-8?B?Q2Fmw6kgw6AgbWlkaQ==?= =?utf-8?Q?_et_apr=C3=A8s?= (("=?ISO-8859-1?Q?Andr=E9?= Pirard" NIL "PIRARD" "vm1.ulg.ac.be")) (("=?ISO-8859-1?Q?Andr=E9?= Pirard" NIL "PIRARD" "vm1.ulg.ac.be")) (("=?ISO-8859-1?Q?Andr=E9?= Pirard" NIL "PIRARD" "vm1.ulg.ac.be")) (("=?US-ASCII?Q?Keith_Moore?=" NIL "moore" "cs.utk.edu")) NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "utf-8" "format" "flowed") NIL NIL "8bit" 7 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "utf-8" "format" "flowed") NIL NIL "8bit" 7 1))x"},
    {"eight_bit_headers",
     R"x((NIL {17})x" "\r\n" "Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln (({15}" "\r\n" "J\xC3\xBCrgen M\xC3\xBCller NIL \"juergen\" \"example.de\")) (({15}" "\r\n" "J\xC3\xBCrgen M\xC3\xBCller NIL \"juergen\" \"example.de\")) (({15}" "\r\n" "J\xC3\xBCrgen M\xC3\xBCller NIL \"juergen\" \"example.de\")) (({5}" "\r\n" "Ren\xC3\xA9 NIL \"rene\" \"example.fr\")) NIL NIL NIL NIL)",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1))x"},
    {"quotes_and_escapes",
     R"x((NIL {20})x" "\r\n" R"x(a "quoted" \ subject (({20})x" "\r\n" R"x(Joe "The Boss" Smith NIL "joe" "example.com")) (({20})x" "\r\n" R"x(Joe "The Boss" Smith NIL "joe" "example.com")) (({20})x" "\r\n" R"x(Joe "The Boss" Smith NIL "joe" "example.com")) (({10})x" "\r\n" R"x(back\slash NIL "b" "example.com")) NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1))x"},
    {"no_body",
     R"x((NIL "only a header" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))x"},
    {"folded_headers",
     R"x((NIL {21})x" "\r\n" R"x(a folded subject line ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL "<x@example.com> <y@example.com>" "<spaces@example.com>  "))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1))x"},
    {"digest",
     R"x((NIL "digest" ((NIL NIL "list" "example.com")) ((NIL NIL "list" "example.com")) ((NIL NIL "list" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x((("message" "rfc822" NIL NIL NIL "7bit" 51 (NIL "first" ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL) "digest" ("boundary" "d") NIL NIL NIL))x",
     R"x((("message" "rfc822" NIL NIL NIL "7bit" 51 (NIL "first" ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0) 3)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0) "digest"))x"},
    {"multipart_without_parts",
     R"x((NIL NIL ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "nothere") NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed"))x"},
    {"unclosed_multipart",
     R"x((NIL NIL ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 1 NIL NIL NIL NIL) "mixed" ("boundary" "x") NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 1) "mixed"))x"},
    {"rfc2231_and_routes",
     R"x((NIL NIL (("Q, X" "@r1.example,@r2.example" "x" "y.example")) (("Q, X" "@r1.example,@r2.example" "x" "y.example")) (("Q, X" "@r1.example,@r2.example" "x" "y.example")) ((NIL NIL "bare" "MISSING_DOMAIN")("Com ment" NIL "a" "b.example")) NIL NIL NIL NIL))x",
     R"x(("application" "octet-stream" ("name*" "UTF-8''na%C3%AFve.bin") NIL NIL "7bit" 3 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename" "longname.bin")) NIL NIL))x",
     R"x(("application" "octet-stream" ("name*" "UTF-8''na%C3%AFve.bin") NIL NIL "7bit" 3))x"},
    {"bare_lf",
     R"x((NIL "bare LF" ((NIL NIL "lf" "example.com")) ((NIL NIL "lf" "example.com")) ((NIL NIL "lf" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL) "mixed" ("boundary" "z") NIL NIL NIL))x",
     R"x((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 10 0) "mixed"))x"},
    {"repeated_fields",
     R"x(("Mon, 7 Dec 2026 10:00:00 +0000" "second" ((NIL NIL "a" "example.com")(NIL NIL "c" "example.com")) ((NIL NIL "a" "example.com")(NIL NIL "c" "example.com")) ((NIL NIL "a" "example.com")(NIL NIL "c" "example.com")) ((NIL NIL "x" "example.com")(NIL NIL "z" "example.com")) NIL NIL NIL "<2@example.com>"))x",
     R"x(("text" "html" ("charset" "us-ascii") "<i1@example.com>" NIL "base64" 3 1 NIL NIL NIL NIL))x",
     R"x(("text" "html" ("charset" "us-ascii") "<i1@example.com>" NIL "base64" 3 1))x"},
    {"unreadable_mime_fields",
     R"x((NIL NIL ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x((("text" "" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL)("" "" NIL NIL NIL "7bit" 3 NIL ("" ("x" "y")) ("en") NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL ("inline" ("x" "y")) NIL NIL) "mixed" ("boundary" "z") NIL NIL NIL))x",
     R"x((("text" "" ("charset" "us-ascii") NIL NIL "7bit" 3 0)("" "" NIL NIL NIL "7bit" 3)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0) "mixed"))x"},
    {"not_mime",
     R"x((NIL NIL ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1))x"},
    {"mime_version_only",
     R"x((NIL NIL ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") "<x@example.com>" NIL "base64" 6 1 NIL NIL NIL NIL))x",
     R"x(("text" "plain" ("charset" "us-ascii") "<x@example.com>" NIL "base64" 6 1))x"},
};
// clang-format on

class StructureTable : public ::testing::TestWithParam<Expected> {};

TEST_P(StructureTable, AnswersAsDovecot) {
  const Expected& e = GetParam();
  ImapStructure st = imap_structure(test::imap_sample(e.sample));
  EXPECT_EQ(st.envelope, e.envelope);
  EXPECT_EQ(st.body_structure, e.body_structure);
  EXPECT_EQ(st.body, e.body);
  EXPECT_EQ(imap_envelope(test::imap_sample(e.sample)), e.envelope);
}

INSTANTIATE_TEST_SUITE_P(Samples, StructureTable, ::testing::ValuesIn(kTable),
                         [](const auto& info) { return info.param.sample; });

TEST(ImapStructure, LongSubjectStaysQuoted) {
  // Dovecot quotes a value of any length; only its bytes decide.
  ImapStructure st = imap_structure(test::imap_sample("long_subject"));
  EXPECT_EQ(st.envelope.substr(0, 7), "(NIL \"x");
  EXPECT_NE(st.envelope.find(std::string(1500, 'x') + "\" "), std::string::npos);
}

// RFC 3501 §8's sample FETCH answer for message 12. Its ENVELOPE puts a space
// between the two Cc addresses, which the grammar of §9 ("(" 1*address ")")
// does not have and no server sends: that one space is left out here.
TEST(ImapStructure, Rfc3501SampleFetch) {
  std::string body;
  for (int i = 0; i < 92; ++i) body += std::string(i < 84 ? 31 : 30, 'a') + "\r\n";
  ASSERT_EQ(body.size(), 3028U);
  std::string raw =
      "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
      "From: Terry Gray <gray@cac.washington.edu>\r\n"
      "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
      "To: imap@cac.washington.edu\r\n"
      "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
      "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
      "Content-Transfer-Encoding: 7BIT\r\n"
      "\r\n" +
      body;
  ImapStructure st = imap_structure(raw);
  EXPECT_EQ(
      st.envelope,
      R"x(("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" )x"
      R"x((("Terry Gray" NIL "gray" "cac.washington.edu")) )x"
      R"x((("Terry Gray" NIL "gray" "cac.washington.edu")) )x"
      R"x((("Terry Gray" NIL "gray" "cac.washington.edu")) )x"
      R"x(((NIL NIL "imap" "cac.washington.edu")) )x"
      R"x(((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) )x"
      R"x(NIL NIL "<B27397-0100000@cac.washington.edu>"))x");
  // The sample's BODY, with the extension data BODYSTRUCTURE adds.
  EXPECT_EQ(st.body_structure,
            R"(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92 NIL NIL NIL NIL))");
  // Dovecot spells the BODY of plain US-ASCII text the default way.
  EXPECT_EQ(st.body, R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3028 92))");
}

TEST(ImapStructure, HostileInputStaysBalanced) {
  // A NUL in a subject becomes 0x80 in a literal, as Dovecot writes it.
  std::string raw("Subject: a\0b\r\n\r\n", 16);
  EXPECT_EQ(imap_envelope(raw),
            "(NIL {3}\r\na\x80"
            "b NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(ImapString, QuotesSafeTextAndSendsTheRestAsLiterals) {
  const std::pair<std::string, std::string> cases[] = {
      {"hello world", "\"hello world\""},
      {"", "\"\""},
      {"say \"hi\"", "{8}\r\nsay \"hi\""},
      {"a\\b", "{3}\r\na\\b"},
      {"caf\xC3\xA9", "{5}\r\ncaf\xC3\xA9"},
      {"two\r\nlines", "{10}\r\ntwo\r\nlines"},
      {std::string(2000, 'y'), "\"" + std::string(2000, 'y') + "\""},
  };
  for (const auto& [value, written] : cases) EXPECT_EQ(imap_string(value), written);
  std::string out;
  append_imap_nstring(out, std::nullopt);
  out += ' ';
  append_imap_nstring(out, "");
  EXPECT_EQ(out, "NIL \"\"");
}

TEST(ImapString, TextForPeopleHasItsWhitespaceTidied) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"plain words", "\"plain words\""},
      {"folded\r\n\tline", "{11}\r\nfolded line"},
      {"two  spaces ", "{10}\r\ntwo spaces"},
      {" \t ", "\"\""},
      {"", "\"\""},
      {"Ren\xC3\xA9", "{5}\r\nRen\xC3\xA9"},
  };
  for (const auto& [value, written] : cases) {
    std::string out;
    append_imap_text(out, value);
    EXPECT_EQ(out, written);
  }
}

}  // namespace
}  // namespace postern::mime
