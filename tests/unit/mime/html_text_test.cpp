// html_to_text: the text of mail's HTML as a reader sees it, for search and
// previews.
#include "mime/html_text.h"

#include <gtest/gtest.h>

#include <string>

#include "core/utf8.h"

namespace postern::mime {
namespace {

TEST(HtmlToText, ReadsTheTextAReaderSees) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"<p>a</p><p>b</p>", "a\nb"},
      {"x<br>y<br/>z", "x\ny\nz"},
      {"one<br><br>two", "one\n\ntwo"},
      {"<b>bold</b> &amp; &lt;tag&gt; &quot;q&quot; &#39;s&#39;&nbsp;end",
       "bold & <tag> \"q\" 's' end"},
      {"caf&eacute; &#x263A; &euro;", "caf\xC3\xA9 \xE2\x98\xBA \xE2\x82\xAC"},
      {"<SCRIPT type=x>alert(1)</SCRIPT>after", "after"},
      {"<style>p{color:red}</style><div>shown</div>", "shown"},
      {"<html><head><title>Title</title><style>x</style></head><body>body</body></html>", "body"},
      {"<template><p>inert</p></template>seen", "seen"},
      {"  a \r\n\t b  <p> c", "a b\nc"},
      {"<ul><li>one</li><li>two</li></ul>after", "one\ntwo\nafter"},
      {"<h1>Title</h1><h6>small</h6>text", "Title\nsmall\ntext"},
      {"<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", "a b\nc"},
      {"<script>never closed", ""},
      {"unclosed <tag", "unclosed"},
      {"&unknown; stays", "&unknown; stays"},
      {"a<!-- hidden -->b", "ab"},
  };
  for (const auto& [html, text] : cases) EXPECT_EQ(html_to_text(html), text) << html;
}

TEST(HtmlToText, NotUtf8InputGivesUtf8) {
  std::string text = html_to_text("<p>caf\xE9 \xFF</p>");
  EXPECT_TRUE(is_valid_utf8(text)) << text;
  EXPECT_TRUE(text.starts_with("caf")) << text;
}

TEST(HtmlToText, OverlongCharacterReferenceGivesUtf8) {
  std::string text = html_to_text("<p>a &#x09" + std::string(120, 'D') + "; b</p>");
  EXPECT_TRUE(is_valid_utf8(text)) << text;
  EXPECT_TRUE(text.starts_with("a ")) << text;
}

}  // namespace
}  // namespace postern::mime
