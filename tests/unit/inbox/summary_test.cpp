// The summary the inbox stores beside each caught message: what the list,
// the search and IMAP FETCH read instead of parsing the message again.
#include "inbox/summary.h"

#include <gtest/gtest.h>

#include "mime/date.h"
#include "mime/imap_structure.h"

namespace postern::inbox {
namespace {

const std::string kMixed =
    "From: =?utf-8?Q?Ren=C3=A9?= Dupont <rene@example.fr>\r\n"
    "To: \"Bob\" <bob@example.org>, carol@example.net\r\n"
    "Cc: Team: dave@example.com;\r\n"
    "Subject: =?utf-8?B?Q2Fmw6k=?= and\r\n"
    " more\r\n"
    "Date: Tue, 1 Dec 2026 10:00:00 +0100\r\n"
    "Message-ID: <m1@example.fr>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: multipart/alternative; boundary=a\r\n"
    "\r\n"
    "--a\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Caf=C3=A9 plain\r\n"
    "--a\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Hello&amp;bye</p><script>var secret = 1;</script><div>world</div>\r\n"
    "--a--\r\n"
    "--b\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=r.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjcK\r\n"
    "--b--\r\n";

TEST(Summary, FillsEveryField) {
  store::BlobSummary s = summarize(kMixed);
  EXPECT_EQ(s.from, "Ren\xC3\xA9 Dupont <rene@example.fr>");
  EXPECT_EQ(s.to, "Bob <bob@example.org>, carol@example.net");
  EXPECT_EQ(s.cc, "dave@example.com");
  EXPECT_EQ(s.subject, "Caf\xC3\xA9 and more");
  EXPECT_EQ(s.message_id, "m1@example.fr");
  ASSERT_TRUE(s.date.has_value());
  EXPECT_EQ(s.date, mime::parse_date("Tue, 1 Dec 2026 09:00:00 +0000"));
  EXPECT_TRUE(s.has_attachments);
  EXPECT_NE(s.text.find("Caf\xC3\xA9 plain"), std::string::npos) << s.text;
  EXPECT_NE(s.text.find("Hello&bye\nworld"), std::string::npos) << s.text;
  EXPECT_EQ(s.text.find("secret"), std::string::npos) << s.text;
  mime::ImapStructure imap = mime::imap_structure(kMixed);
  EXPECT_EQ(s.envelope, imap.envelope);
  EXPECT_EQ(s.body_structure, imap.body_structure);
  EXPECT_EQ(s.body, imap.body);
  // The line break before a delimiter belongs to the delimiter (RFC 2046
  // §5.1.1): "Caf=C3=A9 plain" is 15 octets and no complete line.
  EXPECT_EQ(s.body, R"(((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 15 0))"
                    R"(("text" "html" ("charset" "utf-8") NIL NIL "7bit" 68 0) "alternative"))"
                    R"(("application" "pdf" NIL NIL NIL "base64" 12) "mixed"))");
}

TEST(Summary, MissingHeadersGiveEmptyFieldsAndNilEnvelope) {
  store::BlobSummary s = summarize("X-Other: 1\r\n\r\nbody only\r\n");
  EXPECT_EQ(s.from, "");
  EXPECT_EQ(s.subject, "");
  EXPECT_EQ(s.message_id, "");
  EXPECT_FALSE(s.date.has_value());
  EXPECT_FALSE(s.has_attachments);
  EXPECT_EQ(s.text, "body only\n");
  EXPECT_EQ(s.envelope, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(Summary, InlineImagesAreNotAttachments) {
  store::BlobSummary s = summarize(
      "From: a@example.com\r\n"
      "Content-Type: multipart/related; boundary=r\r\n"
      "\r\n"
      "--r\r\n"
      "Content-Type: text/html\r\n"
      "\r\n"
      "<img src=\"cid:i@x\">\r\n"
      "--r\r\n"
      "Content-Type: image/png\r\n"
      "Content-ID: <i@x>\r\n"
      "Content-Disposition: inline\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "iVBORw0KGgo=\r\n"
      "--r--\r\n");
  EXPECT_FALSE(s.has_attachments);
}

TEST(Summary, ANonsenseDateIsLeftOut) {
  store::BlobSummary s = summarize("From: a@example.com\r\nDate: sometime soon\r\n\r\nx\r\n");
  EXPECT_FALSE(s.date.has_value());
}

}  // namespace
}  // namespace postern::inbox
