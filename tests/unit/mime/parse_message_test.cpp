// parse_message: round trips through build_message, and messages written by
// other mailers (charsets, encodings, structures).
#include <gtest/gtest.h>

#include "mime/mime.h"
#include "mime_test_support.h"

namespace postern::mime {
namespace {

using namespace std::string_literals;
using test::sample_options;

Attachment attachment(std::string name, std::string type, std::string content,
                      bool is_inline = false, std::string cid = "") {
  Attachment a;
  a.filename = std::move(name);
  a.content_type = std::move(type);
  a.content = std::move(content);
  a.is_inline = is_inline;
  a.content_id = std::move(cid);
  return a;
}

void expect_round_trip(const Message& m) {
  std::string raw = build_message(m, sample_options());
  auto parsed = parse_message(raw);
  ASSERT_TRUE(parsed) << raw;
  EXPECT_EQ(parsed->from, m.from);
  EXPECT_EQ(parsed->to, m.to);
  EXPECT_EQ(parsed->cc, m.cc);
  EXPECT_EQ(parsed->reply_to, m.reply_to);
  EXPECT_EQ(parsed->subject, m.subject);
  EXPECT_EQ(parsed->text, m.text);
  EXPECT_EQ(parsed->html, m.html);
  EXPECT_EQ(parsed->headers, m.headers);
  ASSERT_EQ(parsed->attachments.size(), m.attachments.size());
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    EXPECT_EQ(parsed->attachments[i], m.attachments[i]) << "attachment " << i;
  }
  EXPECT_EQ(*parsed, m);  // everything, bcc/tags/metadata included (empty here)
}

TEST(ParseMessage, RoundTripsTextOnly) {
  Message m = test::minimal_message();
  m.text = "Hello\nWorld\n";
  expect_round_trip(m);
  m.text = "no final newline";
  expect_round_trip(m);
}

TEST(ParseMessage, RoundTripsHtmlOnly) {
  Message m = test::minimal_message();
  m.html = "<html><body><p>Hi</p></body></html>";
  expect_round_trip(m);
}

TEST(ParseMessage, RoundTripsEverythingTogether) {
  Message m = test::minimal_message();
  m.from = {"Jos\xC3\xA9 M\xC3\xBCller", "jose@example.com"};
  m.to = {{"Doe, Jane", "jane@example.org"},
          {"", "plain@example.org"},
          {"  spaced  out ", "s@example.org"}};
  m.cc = {{"=?not encoded?=", "cc@example.org"}};
  m.reply_to = {{"Replies", "replies@example.com"}};
  m.subject = "R\xC3\xA9union \xE6\x97\xA5\xE6\x9C\xAC: the =?plan?= for " + std::string(120, 'q');
  m.text =
      "Bonjour \xC3\xA0 tous\n\nA line with trailing space \nand " + std::string(300, 'z') + "\n";
  m.html = "<p>Bonjour \xC3\xA0 tous</p><img src=\"cid:logo@example.com\">\n";
  m.headers = {{"X-Campaign", "juillet \xC3\xA9t\xC3\xA9"},
               {"List-Unsubscribe", "<mailto:u@example.com>"},
               {"X-Long", std::string(1200, 'L')}};
  m.attachments = {
      attachment("logo.png", "image/png", test::all_bytes(3), true, "logo@example.com"),
      attachment("data.bin", "application/octet-stream", test::all_bytes(7)),
      attachment("r\xC3\xA9sum\xC3\xA9 (final).pdf", "application/pdf", "%PDF-1.7\n\x00\xFF"s,
                 false),
      attachment("notes.txt", "text/plain; charset=utf-8", "line\r\nline\n")};
  expect_round_trip(m);
}

TEST(ParseMessage, RoundTripsAttachmentsWithoutBodies) {
  Message m = test::minimal_message();
  m.attachments = {attachment("a.bin", "application/octet-stream", ""),
                   attachment("", "application/zip", "PK\x03\x04"),
                   attachment("pic.jpg", "image/jpeg", "\xFF\xD8\xFF", true, "pic")};
  expect_round_trip(m);
}

TEST(ParseMessage, InlinePartsComeFirstWhenThereIsHtml) {
  // build_message puts inline parts with the html (multipart/related), so
  // they are read back before the attachments of the outer multipart/mixed.
  Message m = test::minimal_message();
  m.html = "<img src=\"cid:i\">";
  m.attachments = {attachment("a.pdf", "application/pdf", "A"),
                   attachment("i.png", "image/png", "I", true, "i")};
  auto parsed = parse_message(build_message(m, sample_options()));
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->attachments.size(), 2u);
  EXPECT_EQ(parsed->attachments[0], m.attachments[1]);
  EXPECT_EQ(parsed->attachments[1], m.attachments[0]);
}

TEST(ParseMessage, ExtraHeadersAreReadBackAfterTheMessagesOwn) {
  Message m = test::minimal_message();
  m.text = "x";
  m.headers = {{"X-A", "1"}};
  BuildOptions options = sample_options();
  options.extra_headers = {{"X-Postern-Id", "01jz"}};
  auto parsed = parse_message(build_message(m, options));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->headers, (HeaderList{{"X-A", "1"}, {"X-Postern-Id", "01jz"}}));
}

TEST(ParseMessage, BccHeaderOfARawMessageIsReadButNeverWritten) {
  auto parsed = parse_message("From: a@example.com\r\nBcc: x@example.net\r\n\r\nhi");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->bcc, (std::vector<Mailbox>{{"", "x@example.net"}}));
  EXPECT_EQ(parsed->text, "hi");
}

TEST(ParseMessage, DecodesForeignCharsetsAndEncodings) {
  auto parsed = parse_message(
      "From: a@example.com\r\n"
      "Subject: =?iso-8859-1?q?R=E9sum=E9?=\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=\"XYZ\"\r\n"
      "\r\n"
      "preamble\r\n"
      "--XYZ\r\n"
      "Content-Type: text/plain; charset=ISO-8859-1\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "caf=E9 cr=E8me, soft=\r\n"
      " break\r\n"
      "--XYZ\r\n"
      "Content-Type: text/html; charset=windows-1252\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "PHA+gCA1PC9wPg==\r\n"
      "--XYZ--\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->subject, "R\xC3\xA9sum\xC3\xA9");
  EXPECT_EQ(parsed->text, "caf\xC3\xA9 cr\xC3\xA8me, soft break");
  EXPECT_EQ(parsed->html, "<p>\xE2\x82\xAC 5</p>");  // 0x80 is the euro sign in windows-1252
}

TEST(ParseMessage, UnknownCharsetsAndBrokenUtf8StillGiveUtf8) {
  auto parsed = parse_message(
      "From: a@example.com\r\nContent-Type: text/plain; charset=x-unheard-of\r\n\r\ncaf\xE9\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->text, "caf\xC3\xA9\n");
  parsed = parse_message(
      "From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok \xC3\xA9 bad "
      "\xFF!\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->text, "ok \xC3\xA9 bad \xEF\xBF\xBD!\n");
}

TEST(ParseMessage, PlainRfc822MessageWithoutMimeIsText) {
  auto parsed = parse_message(
      "From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\n\r\nline 1\r\nline 2\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->text, "line 1\nline 2\n");
  EXPECT_TRUE(parsed->html.empty());
  EXPECT_TRUE(parsed->attachments.empty());
}

TEST(ParseMessage, KeepsNonStructuralHeadersOnly) {
  auto parsed = parse_message(
      "Received: from x by y; Tue, 1 Jul 2025 09:05:03 +0000\r\n"
      "Return-Path: <bounce@example.com>\r\n"
      "From: a@example.com\r\n"
      "Sender: s@example.com\r\n"
      "To: b@example.org\r\n"
      "Date: Tue, 1 Jul 2025 09:05:03 +0000\r\n"
      "Message-ID: <m@example.com>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Language: fr\r\n"
      "Content-Type: text/plain\r\n"
      "X-Mailer: =?utf-8?Q?Mailer_=C3=A9?=\r\n"
      "List-Id: <list.example.com>\r\n"
      "\r\n"
      "x");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->headers,
            (HeaderList{{"Received", "from x by y; Tue, 1 Jul 2025 09:05:03 +0000"},
                        {"X-Mailer", "Mailer \xC3\xA9"},
                        {"List-Id", "<list.example.com>"}}));
}

TEST(ParseMessage, ReadsAttachmentsOfOtherMailers) {
  auto parsed = parse_message(
      "From: a@example.com\r\n"
      "Content-Type: multipart/mixed; boundary=outer\r\n"
      "\r\n"
      "--outer\r\n"
      "Content-Type: multipart/related; boundary=inner\r\n"
      "\r\n"
      "--inner\r\n"
      "Content-Type: text/html; charset=us-ascii\r\n"
      "\r\n"
      "<img src=\"cid:part1.x@y\">\r\n"
      "--inner\r\n"
      "Content-Type: image/gif\r\n"
      "Content-ID: <part1.x@y>\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "R0lGODlhAQABAAAAACw=\r\n"
      "--inner--\r\n"
      "--outer\r\n"
      "Content-Type: text/plain; name=\"=?utf-8?Q?n=C3=B6tes.txt?=\"\r\n"
      "Content-Disposition: attachment\r\n"
      "\r\n"
      "attached text\r\n"
      "--outer\r\n"
      "Content-Type: message/rfc822\r\n"
      "Content-Disposition: attachment; filename=fwd.eml\r\n"
      "\r\n"
      "From: c@example.com\r\n"
      "Subject: inner\r\n"
      "\r\n"
      "inner body\r\n"
      "--outer--\r\n");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->html, "<img src=\"cid:part1.x@y\">");
  EXPECT_EQ(parsed->text, "");
  ASSERT_EQ(parsed->attachments.size(), 3u);
  const auto& gif = parsed->attachments[0];
  EXPECT_EQ(gif.content_type, "image/gif");
  EXPECT_EQ(gif.content_id, "part1.x@y");
  EXPECT_TRUE(gif.is_inline);  // no disposition, but a Content-ID
  EXPECT_EQ(gif.content, std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00,", 14));
  const auto& notes = parsed->attachments[1];
  EXPECT_EQ(notes.filename, "n\xC3\xB6tes.txt");
  EXPECT_EQ(notes.content_type, "text/plain");
  EXPECT_EQ(notes.content, "attached text");
  EXPECT_FALSE(notes.is_inline);
  const auto& fwd = parsed->attachments[2];
  EXPECT_EQ(fwd.content_type, "message/rfc822");
  EXPECT_EQ(fwd.filename, "fwd.eml");
  EXPECT_NE(fwd.content.find("Subject: inner\r\n"), std::string::npos) << fwd.content;
  EXPECT_NE(fwd.content.find("inner body"), std::string::npos) << fwd.content;
}

TEST(ParseMessage, RefusesWhatSummarizeRefuses) {
  auto r = parse_message("garbage without a header\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(Errc::invalid_argument));
  EXPECT_FALSE(parse_message("To: b@example.org\r\n\r\nno from"));
}

TEST(ParseMessage, HugeCharsetNamesAreRefusedBeforeGMimeCopiesThemOntoTheStack) {
  // Regression: 16 MB here overflowed the stack inside GMime (alloca).
  const std::string head =
      "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";
  const std::string huge(16 << 20, 'a');
  for (const std::string& raw :
       {head + "Content-Type: text/plain; name==?" + huge + "?Q?x?=\r\n\r\nx\r\n--b--\r\n",
        head + "Content-Disposition: attachment; filename*=" + huge +
            "''x\r\n\r\nx\r\n--b--\r\n"}) {
    auto r = parse_message(raw);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(Errc::invalid_argument));
  }
  // Ordinary sizes, and long texts with no charset in them, still parse.
  auto ok = parse_message(head + "Content-Type: text/plain; name==?" + std::string(300, 'a') +
                          "?Q?x?=\r\n\r\nx\r\n--b--\r\n");
  ASSERT_TRUE(ok);
  ok =
      parse_message("From: a@example.com\r\n\r\nnote *= " + std::string(300000, 'b') + " =? x\r\n");
  ASSERT_TRUE(ok);
}

TEST(ParseMessage, SurvivesDeepMultipartNesting) {
  std::string raw = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
  const int depth = 2000;
  for (int i = 1; i < depth; ++i) {
    raw += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" +
           std::to_string(i) + "\r\n\r\n";
  }
  raw += "--b" + std::to_string(depth - 1) + "\r\nContent-Type: text/plain\r\n\r\ndeep\r\n";
  for (int i = depth - 1; i >= 0; --i) raw += "--b" + std::to_string(i) + "--\r\n";
  // GMime stops nesting at 1024 levels; what lies deeper is read as one part.
  auto parsed = parse_message(raw);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->from.address, "a@example.com");
}

}  // namespace
}  // namespace postern::mime
