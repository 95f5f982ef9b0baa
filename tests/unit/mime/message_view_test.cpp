// The inbox's reading of a message (mime/message_view.h): lenient where
// intake is strict, and HTML reduced to the text a reader sees.
#include "mime/message_view.h"

#include <gtest/gtest.h>

#include "imap_samples.h"

namespace postern::mime {
namespace {

TEST(MessageView, ReadsMalformedHeadersAsTheyCome) {
  // No From at all, a bare local part, a group, 8-bit names: intake would
  // refuse some of these; a caught message is shown anyway.
  MessageView v = view_message(
      "To: bare, Friends: joe@example.com;, =?utf-8?Q?Ren=C3=A9?= <r@example.fr>\r\n"
      "Cc: J\xC3\xBCrgen <j@example.de>\r\n"
      "Message-ID: not-bracketed@example.com\r\n"
      "\r\n"
      "hi\r\n");
  EXPECT_EQ(v.from, "");
  EXPECT_EQ(v.to, "bare@MISSING_DOMAIN, joe@example.com, Ren\xC3\xA9 <r@example.fr>");
  EXPECT_EQ(v.cc, "J\xC3\xBCrgen <j@example.de>");
  EXPECT_EQ(v.message_id, "not-bracketed@example.com");
  EXPECT_EQ(v.text, "hi\n");
  EXPECT_FALSE(v.has_attachments);
}

TEST(MessageView, NestedMessagesAndAttachmentsCount) {
  EXPECT_TRUE(view_message(test::imap_sample("nested_message")).has_attachments);
  EXPECT_TRUE(view_message(test::imap_sample("mixed")).has_attachments);
  EXPECT_FALSE(view_message(test::imap_sample("alternative")).has_attachments);
  MessageView alt = view_message(test::imap_sample("alternative"));
  // The text body, a blank line, then the HTML body's text.
  EXPECT_EQ(alt.text, "Caf\xC3\xA9 at noon?\n\nCaf\xC3\xA9 at noon?\nReply soon\n");
}

TEST(MessageView, HtmlBecomesText) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"<p>a</p><p>b</p>", "a\nb\n"},
      {"x<br>y<br/>z", "x\ny\nz"},
      {"<b>bold</b> &amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39;&nbsp;end",
       "bold & <tag> \"q\" 's' end"},
      {"<SCRIPT type=x>alert(1)</SCRIPT>after", "after"},
      {"<style>p{color:red}</style><div>shown</div>", "shown\n"},
      {"  a \r\n\t b  <p> c", "a b\nc"},
      {"<script>never closed", ""},
      {"unclosed <tag", "unclosed "},
      {"&unknown; stays", "&unknown; stays"},
  };
  for (const auto& [html, text] : cases) EXPECT_EQ(html_to_text(html), text) << html;
}

}  // namespace
}  // namespace postern::mime
