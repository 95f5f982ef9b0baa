// read_view and attachment_content on the shapes real mailers send.
#include "mime/reading_view.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "core/utf8.h"
#include "mime_test_support.h"

namespace postern::mime {
namespace {

using namespace std::string_literals;

// A message from a@example.com with `fields` (CRLF-terminated) and `body`.
std::string single_part(std::string_view fields, std::string_view body) {
  return "From: a@example.com\r\n" + std::string(fields) + "\r\n" + std::string(body);
}

const std::string kAlternative =
    "Received: from mx.example.org by inbox.example.test; Tue, 1 Jul 2025 09:05:04 +0000\r\n"
    "From: =?utf-8?Q?Jos=C3=A9_M=C3=BCller?= <jose@example.com>\r\n"
    "To: \"Doe, Jane\" <jane@example.org>, plain@example.org\r\n"
    "Cc: team: a@example.org, b@example.org;\r\n"
    "Reply-To: Replies <replies@example.com>\r\n"
    "Subject: =?iso-8859-1?q?R=E9union?= du\r\n =?utf-8?B?5pel5pys?=\r\n"
    "Date: Tue, 1 Jul 2025 11:05:03 +0200\r\n"
    "Message-ID: <abc.123@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"ALT\"\r\n"
    "\r\n"
    "--ALT\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Bonjour =C3=A0 tous\r\n"
    "--ALT\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Bonjour \xC3\xA0 tous</p>\r\n"
    "--ALT--\r\n";

TEST(ReadingView, MultipartAlternative) {
  ReadingView v = read_view(kAlternative);
  EXPECT_EQ(v.problem, "");
  ASSERT_EQ(v.headers.size(), 10u);
  EXPECT_EQ(v.headers[0].name, "Received");
  EXPECT_EQ(v.headers[1].name, "From");
  EXPECT_EQ(v.headers[1].value,
            "Jos\xC3\xA9 M\xC3\xBC"
            "ller <jose@example.com>");
  EXPECT_EQ(v.headers[5].value, "R\xC3\xA9union du \xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(v.from, (std::vector<Mailbox>{{"Jos\xC3\xA9 M\xC3\xBCller", "jose@example.com"}}));
  EXPECT_EQ(v.to,
            (std::vector<Mailbox>{{"Doe, Jane", "jane@example.org"}, {"", "plain@example.org"}}));
  EXPECT_EQ(v.cc, (std::vector<Mailbox>{{"", "a@example.org"}, {"", "b@example.org"}}));
  EXPECT_TRUE(v.bcc.empty());
  EXPECT_EQ(v.reply_to, (std::vector<Mailbox>{{"Replies", "replies@example.com"}}));
  EXPECT_EQ(v.subject, "R\xC3\xA9union du \xE6\x97\xA5\xE6\x9C\xAC");
  ASSERT_TRUE(v.date);
  EXPECT_EQ(format_rfc3339(*v.date), "2025-07-01T09:05:03.000Z");
  EXPECT_EQ(v.message_id, "abc.123@example.com");
  // The line break before a boundary belongs to the boundary (RFC 2046 §5.1.1).
  EXPECT_EQ(v.text, "Bonjour \xC3\xA0 tous");
  EXPECT_EQ(v.html, "<p>Bonjour \xC3\xA0 tous</p>");
  EXPECT_TRUE(v.attachments.empty());
}

const std::string kMixedWithPdf =
    "From: a@example.com\r\n"
    "To: b@example.org\r\n"
    "Subject: report\r\n"
    "Content-Type: multipart/mixed; boundary=\"MIX\"\r\n"
    "\r\n"
    "--MIX\r\n"
    "Content-Type: multipart/alternative; boundary=\"ALT\"\r\n"
    "\r\n"
    "--ALT\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "See attached.\r\n"
    "--ALT\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>See attached.</p>\r\n"
    "--ALT--\r\n"
    "--MIX\r\n"
    "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjcKAP8=\r\n"
    "--MIX--\r\n";

TEST(ReadingView, MixedWithAPdfAttachment) {
  ReadingView v = read_view(kMixedWithPdf);
  EXPECT_EQ(v.text, "See attached.");
  EXPECT_EQ(v.html, "<p>See attached.</p>");
  ASSERT_EQ(v.attachments.size(), 1u);
  const ReadingAttachment& a = v.attachments[0];
  EXPECT_EQ(a.id, "2");
  EXPECT_EQ(a.filename, "report.pdf");
  EXPECT_EQ(a.content_type, "application/pdf");
  EXPECT_EQ(a.size, 11u);  // decoded, not the 16 base64 characters
  EXPECT_EQ(a.content_id, "");
  EXPECT_FALSE(a.is_inline);

  auto content = attachment_content(kMixedWithPdf, "2");
  ASSERT_TRUE(content);
  EXPECT_EQ(content->content, "%PDF-1.7\n\0\xFF"s);
  EXPECT_EQ(content->content_type, "application/pdf");
  EXPECT_EQ(content->filename, "report.pdf");
  // Bodies and unknown parts are not attachments.
  EXPECT_EQ(attachment_content(kMixedWithPdf, "1.1").error(), make_error_code(Errc::not_found));
  EXPECT_EQ(attachment_content(kMixedWithPdf, "3").error(), make_error_code(Errc::not_found));
  EXPECT_EQ(attachment_content(kMixedWithPdf, "").error(), make_error_code(Errc::not_found));
}

TEST(ReadingView, InlineImageWithContentId) {
  const std::string raw =
      "From: a@example.com\r\n"
      "Content-Type: multipart/related; boundary=\"REL\"; type=\"text/html\"\r\n"
      "\r\n"
      "--REL\r\n"
      "Content-Type: text/html; charset=us-ascii\r\n"
      "\r\n"
      "<img src=\"cid:logo@example.com\">\r\n"
      "--REL\r\n"
      "Content-Type: image/png\r\n"
      "Content-ID: <logo@example.com>\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "iVBORw0KGgo=\r\n"
      "--REL--\r\n";
  ReadingView v = read_view(raw);
  EXPECT_EQ(v.html, "<img src=\"cid:logo@example.com\">");
  EXPECT_EQ(v.text, "");
  ASSERT_EQ(v.attachments.size(), 1u);
  EXPECT_EQ(v.attachments[0].id, "2");
  EXPECT_EQ(v.attachments[0].content_id, "logo@example.com");
  EXPECT_TRUE(v.attachments[0].is_inline);
  EXPECT_EQ(v.attachments[0].content_type, "image/png");
  EXPECT_EQ(v.attachments[0].filename, "");
  EXPECT_EQ(v.attachments[0].size, 8u);
  auto png = attachment_content(raw, "2");
  ASSERT_TRUE(png);
  EXPECT_EQ(png->content, "\x89PNG\r\n\x1A\n");
}

TEST(ReadingView, Iso88591AndShiftJisBodies) {
  ReadingView latin =
      read_view(single_part("Content-Type: text/plain; charset=ISO-8859-1\r\n"
                            "Content-Transfer-Encoding: quoted-printable\r\n",
                            "caf=E9 cr=E8me\r\n"));
  EXPECT_EQ(latin.text, "caf\xC3\xA9 cr\xC3\xA8me\n");
  // 日本 in Shift_JIS, in the body (8bit) and in an encoded-word.
  ReadingView sjis =
      read_view(single_part("Subject: =?Shift_JIS?B?k/qWew==?=\r\n"
                            "Content-Type: text/plain; charset=Shift_JIS\r\n"
                            "Content-Transfer-Encoding: 8bit\r\n",
                            "\x93\xFA\x96\x7B\r\n"));
  EXPECT_EQ(sjis.subject, "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(sjis.text, "\xE6\x97\xA5\xE6\x9C\xAC\n");
}

TEST(ReadingView, HtmlWithoutAMimeCharsetUsesItsMetaCharset) {
  ReadingView meta = read_view(single_part(
      "Content-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n",
      "<html><head><meta charset=\"Shift_JIS\"></head><body>\x93\xFA\x96\x7B</body></html>"));
  EXPECT_NE(meta.html.find("<body>\xE6\x97\xA5\xE6\x9C\xAC</body>"), std::string::npos)
      << meta.html;
  ReadingView http_equiv = read_view(single_part(
      "Content-Type: text/html\r\n",
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">\x80"));
  EXPECT_NE(http_equiv.html.find("\xE2\x82\xAC"), std::string::npos) << http_equiv.html;
  // The MIME label wins over the document's.
  ReadingView labelled = read_view(
      single_part("Content-Type: text/html; charset=iso-8859-1\r\n", "<meta charset=utf-8>\xE9"));
  EXPECT_NE(labelled.html.find("\xC3\xA9"), std::string::npos);
}

TEST(ReadingView, BrokenCharsetsFallBackToValidUtf8) {
  ReadingView unknown_utf8 = read_view(single_part(
      "Content-Type: text/plain; charset=x-no-such-charset\r\n", "d\xC3\xA9j\xC3\xA0\r\n"));
  EXPECT_EQ(unknown_utf8.text, "d\xC3\xA9j\xC3\xA0\n");
  ReadingView lying =
      read_view(single_part("Subject: =?utf-8?Q?caf=E9?= \xFF\r\n"
                            "Content-Type: text/html; charset=utf-8\r\n",
                            "<p>caf\xE9</p>\r\n"));
  EXPECT_TRUE(is_valid_utf8(lying.subject)) << lying.subject;
  EXPECT_EQ(lying.html, "<p>caf\xEF\xBF\xBD</p>\n");  // utf-8 label, latin-1 byte: U+FFFD
  for (const auto& h : lying.headers) EXPECT_TRUE(is_valid_utf8(h.value)) << h.name;
}

TEST(ReadingView, Rfc2231AndRfc2047FileNames) {
  const std::string raw =
      "From: a@example.com\r\n"
      "Content-Type: multipart/mixed; boundary=\"B\"\r\n"
      "\r\n"
      "--B\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "files\r\n"
      "--B\r\n"
      "Content-Type: application/pdf\r\n"
      "Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n"
      "\r\n"
      "x\r\n"
      "--B\r\n"
      "Content-Type: application/octet-stream\r\n"
      "Content-Disposition: attachment;\r\n"
      " filename*0*=iso-8859-1''na%EFve;\r\n"
      " filename*1=\" long name.bin\"\r\n"
      "\r\n"
      "y\r\n"
      "--B\r\n"
      "Content-Type: text/plain; name=\"=?utf-8?B?5pel5pys?=.txt\"\r\n"
      "Content-Disposition: attachment\r\n"
      "\r\n"
      "z\r\n"
      "--B--\r\n";
  ReadingView v = read_view(raw);
  ASSERT_EQ(v.attachments.size(), 3u);
  EXPECT_EQ(v.attachments[0].filename, "r\xC3\xA9sum\xC3\xA9.pdf");
  EXPECT_EQ(v.attachments[1].filename, "na\xC3\xAFve long name.bin");
  EXPECT_EQ(v.attachments[2].filename, "\xE6\x97\xA5\xE6\x9C\xAC.txt");
  EXPECT_EQ(v.attachments[2].content_type, "text/plain");
  auto third = attachment_content(raw, v.attachments[2].id);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->filename, "\xE6\x97\xA5\xE6\x9C\xAC.txt");
}

TEST(ReadingView, OnlyHtml) {
  ReadingView v =
      read_view(single_part("Content-Type: text/html; charset=utf-8\r\n", "<h1>Hi</h1>\r\n"));
  EXPECT_EQ(v.text, "");
  EXPECT_EQ(v.html, "<h1>Hi</h1>\n");
  EXPECT_TRUE(v.attachments.empty());
}

TEST(ReadingView, NoBodyAtAll) {
  for (std::string raw : {"From: a@example.com\r\nSubject: empty\r\n\r\n"s,
                          "From: a@example.com\r\nSubject: empty\r\n"s, ""s}) {
    ReadingView v = read_view(raw);
    EXPECT_EQ(v.text, "") << raw;
    EXPECT_EQ(v.html, "");
    EXPECT_TRUE(v.attachments.empty());
    EXPECT_FALSE(v.date);
  }
  EXPECT_EQ(read_view("From: a@example.com\r\nSubject: empty\r\n").subject, "empty");
}

TEST(ReadingView, AddressesIntakeWouldRefuseAreStillShown) {
  ReadingView v = read_view(
      "From: \"Broken\" <broken@@example.com>\r\n"
      "To: undisclosed-recipients:;\r\n"
      "Cc: =?utf-8?Q?nobody?=\r\n"
      "\r\n"
      "body\r\n");
  ASSERT_EQ(v.from.size(), 1u);
  EXPECT_NE(v.from[0].name + v.from[0].address, "");
  EXPECT_TRUE(v.to.empty());
  ASSERT_EQ(v.cc.size(), 1u);
  EXPECT_NE((v.cc[0].name + v.cc[0].address).find("nobody"), std::string::npos);
  EXPECT_EQ(v.text, "body\n");
}

TEST(ReadingView, HugeBrokenAddressFieldsAreShownAsText) {
  std::string nested(100000, '(');
  std::string charset = "=?" + std::string(16 * 1024 * 1024, 'x') + "?Q?a?=";
  ReadingView v = read_view("From: " + nested + "\r\nTo: " + charset + " <@>\r\n\r\nbody");
  ASSERT_EQ(v.from.size(), 1u);
  EXPECT_EQ(v.from[0].address, "");
  ASSERT_EQ(v.to.size(), 1u);
  EXPECT_EQ(v.to[0].address, "");
}

TEST(ReadingView, AnUnreadableStructureIsShownAsText) {
  // A charset name GMime would copy onto the stack: the body is not parsed.
  std::string raw = single_part("Subject: =?" + std::string(300 * 1024, 'x') + "?Q?a?=\r\n",
                                "caf\xE9 as it is\r\n");
  ReadingView v = read_view(raw);
  EXPECT_NE(v.problem, "");
  EXPECT_EQ(v.text, "caf\xC3\xA9 as it is\n");
  EXPECT_TRUE(v.attachments.empty());
  EXPECT_EQ(attachment_content(raw, "1").error(), make_error_code(Errc::invalid_argument));
}

TEST(ReadingView, EmbeddedMessageIsOneAttachment) {
  const std::string raw =
      "From: a@example.com\r\n"
      "Content-Type: multipart/mixed; boundary=\"B\"\r\n"
      "\r\n"
      "--B\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "fwd\r\n"
      "--B\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "From: c@example.com\r\nSubject: inner\r\n\r\ninner body\r\n"
      "--B--\r\n";
  ReadingView v = read_view(raw);
  ASSERT_EQ(v.attachments.size(), 1u);
  EXPECT_EQ(v.attachments[0].content_type, "message/rfc822");
  auto inner = attachment_content(raw, v.attachments[0].id);
  ASSERT_TRUE(inner);
  EXPECT_EQ(read_view(inner->content).subject, "inner");
}

TEST(ReadingView, AgreesWithBuildMessage) {
  Message m = test::minimal_message();
  m.text = "text\n";
  m.html = "<p>html</p><img src=\"cid:i@x\">";
  m.attachments = {{"i.png", "image/png", test::all_bytes(1), "i@x", true},
                   {"r\xC3\xA9sum\xC3\xA9.pdf", "application/pdf", test::all_bytes(2), "", false}};
  std::string raw = build_message(m, test::sample_options());
  ReadingView v = read_view(raw);
  EXPECT_EQ(v.text, m.text);
  EXPECT_EQ(v.html, m.html);
  EXPECT_EQ(v.subject, m.subject);
  ASSERT_EQ(v.attachments.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    const Attachment& want = m.attachments[i];
    EXPECT_EQ(v.attachments[i].filename, want.filename);
    EXPECT_EQ(v.attachments[i].size, want.content.size());
    EXPECT_EQ(v.attachments[i].is_inline, want.is_inline);
    auto got = attachment_content(raw, v.attachments[i].id);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, want);
  }
}

TEST(ReadingView, ReadHeadersIsTheViewsHeaderWithoutTheBody) {
  // Decoded (RFC 2047, folding) as the view has them, whatever the body;
  // a body whose MIME structure cannot be read changes nothing.
  std::string broken = single_part(
      "Subject: =?utf-8?Q?caf=C3=A9?=\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"B\"\r\n",
      "--B\r\nContent-Type: text/plain\r\n\r\nno closing boundary\r\n");
  for (const std::string& raw : {kAlternative, kMixedWithPdf, broken, std::string("Subject: x")}) {
    auto view = read_view(raw).headers;
    auto alone = read_headers(raw);
    ASSERT_EQ(alone.size(), view.size());
    for (std::size_t i = 0; i < view.size(); ++i) {
      EXPECT_EQ(alone[i].name, view[i].name);
      EXPECT_EQ(alone[i].value, view[i].value);
    }
  }
  EXPECT_EQ(read_headers(broken).at(1).value, "caf\xC3\xA9");
}

}  // namespace
}  // namespace postern::mime
