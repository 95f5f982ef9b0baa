// render_message_page: what a person opening <web>/message/<id> sees, and
// that nothing of the message can run on the page.
#include "http/message_page.h"

#include <gtest/gtest.h>

#include "html_check.h"
#include "mime/html_sanitize.h"

namespace postern::http {
namespace {

const std::string kHostile =
    "From: \"<img src=x onerror=alert(1)>\" <a@example.com>\r\n"
    "To: b@example.org\r\n"
    "Subject: <script>alert(2)</script> =?utf-8?Q?caf=C3=A9?=\r\n"
    "X-Note: \"><script>alert(3)</script>\r\n"
    "Content-Type: multipart/mixed; boundary=\"B\"\r\n"
    "\r\n"
    "--B\r\n"
    "Content-Type: multipart/related; boundary=\"R\"\r\n"
    "\r\n"
    "--R\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p onclick=\"alert(4)\">Hello \"you\" &amp; <b>all</b></p><script>alert(5)</script>"
    "<img src=\"cid:logo@x\"><img src=\"http://tracker.example/p.gif\">\r\n"
    "--R\r\n"
    "Content-Type: image/png\r\n"
    "Content-ID: <logo@x>\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "iVBORw0KGgo=\r\n"
    "--R--\r\n"
    "--B\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename=\"\\\"><script>alert(6)</script>.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjcKAP8=\r\n"
    "--B--\r\n";

MessagePageOptions options() {
  MessagePageOptions o;
  o.attachment_url_prefix = "/message/0ABC/attachments/";
  o.raw_url = "/message/0ABC/raw";
  o.remote_url = "/message/0ABC?remote=1";
  return o;
}

// The value of the first srcdoc="..." attribute, entities decoded.
std::string srcdoc_of(const std::string& page) {
  auto start = page.find("srcdoc=\"");
  if (start == std::string::npos) return {};
  start += 8;
  return mime::test::decode_entities(page.substr(start, page.find('"', start) - start));
}

TEST(MessagePage, NothingOfTheMessageRunsOnThePage) {
  MessagePage page = render_message_page(kHostile, options());
  const std::string& h = page.html;
  EXPECT_EQ(h.find("<script"), std::string::npos) << h;
  EXPECT_EQ(h.find("<img"), std::string::npos) << h;  // the message's images are inside srcdoc
  EXPECT_EQ(h.find("<p onclick"), std::string::npos);
  EXPECT_NE(h.find("<h1>&lt;script&gt;alert(2)&lt;/script&gt; caf\xC3\xA9</h1>"), std::string::npos)
      << h;
  EXPECT_NE(h.find("<td>&lt;img src=x onerror=alert(1)&gt; &lt;a@example.com&gt;</td>"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("<td>&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;</td>"), std::string::npos);
  EXPECT_EQ(page.content_security_policy, mime::kSanitizedHtmlCsp);
}

TEST(MessagePage, HtmlIsSanitisedInASandboxedFrame) {
  MessagePage page = render_message_page(kHostile, options());
  const std::string& h = page.html;
  EXPECT_NE(h.find("<iframe title=\"Message\" sandbox=\"allow-popups "
                   "allow-popups-to-escape-sandbox\" referrerpolicy=\"no-referrer\" srcdoc=\""),
            std::string::npos)
      << h;
  std::string framed = srcdoc_of(h);
  EXPECT_NE(framed.find("<p>Hello \"you\" &amp; <b>all</b></p>"), std::string::npos) << framed;
  EXPECT_NE(framed.find("<img src=\"/message/0ABC/attachments/1.2\">"), std::string::npos)
      << framed;
  EXPECT_EQ(framed.find("script"), std::string::npos) << framed;
  EXPECT_EQ(mime::test::executable_parts(framed), std::vector<std::string>{});
  EXPECT_EQ(framed.find("tracker"), std::string::npos) << framed;
  EXPECT_NE(h.find("1 remote image was blocked to protect your privacy. <a "
                   "href=\"/message/0ABC?remote=1\">Load remote content</a>"),
            std::string::npos)
      << h;
}

TEST(MessagePage, RemoteContentWhenAsked) {
  MessagePageOptions o = options();
  o.allow_remote = true;
  MessagePage page = render_message_page(kHostile, o);
  EXPECT_EQ(page.html.find("blocked"), std::string::npos);
  EXPECT_NE(srcdoc_of(page.html).find("<img src=\"https://tracker.example/p.gif\">"),
            std::string::npos);
  EXPECT_EQ(page.content_security_policy, mime::kSanitizedHtmlRemoteCsp);
}

TEST(MessagePage, AttachmentsAreLinked) {
  MessagePage page = render_message_page(kHostile, options());
  EXPECT_NE(page.html.find("<li><a href=\"/message/0ABC/attachments/2\" "
                           "download=\"&quot;&gt;&lt;script&gt;alert(6)&lt;/script&gt;.pdf\">"
                           "&quot;&gt;&lt;script&gt;alert(6)&lt;/script&gt;.pdf</a> "
                           "(application/pdf, 11 B)</li>"),
            std::string::npos)
      << page.html;
  EXPECT_NE(page.html.find("<li><a href=\"/message/0ABC/attachments/1.2\" download=\"part "
                           "1.2\">part 1.2</a> (image/png, 8 B, inline)</li>"),
            std::string::npos)
      << page.html;
  EXPECT_NE(page.html.find("<a href=\"/message/0ABC/raw\">View source</a>"), std::string::npos);
}

TEST(MessagePage, TextOnlyAndEmptyMessages) {
  MessagePage text = render_message_page(
      "From: a@example.com\r\nSubject: plain\r\nDate: Tue, 1 Jul 2025 11:05:03 +0200\r\n\r\n"
      "1 < 2 & <b>not bold</b>\r\n",
      options());
  EXPECT_EQ(text.html.find("<iframe"), std::string::npos);
  EXPECT_NE(text.html.find("<pre>1 &lt; 2 &amp; &lt;b&gt;not bold&lt;/b&gt;\n</pre>"),
            std::string::npos)
      << text.html;
  EXPECT_NE(text.html.find("<tr><th>Date</th><td>2025-07-01 09:05:03 UTC</td></tr>"),
            std::string::npos);
  MessagePage empty = render_message_page("From: a@example.com\r\n\r\n", options());
  EXPECT_NE(empty.html.find("<h1>(no subject)</h1>"), std::string::npos);
  EXPECT_NE(empty.html.find("This message has no text."), std::string::npos);
}

}  // namespace
}  // namespace postern::http
