// detail::bound_nesting, and the bounds of the HTML parse (detail/gumbo_tree.h)
// on hostile nesting and on trees that grow faster than their source, as
// the sanitiser and html_to_text meet them.
#include "mime/detail/nesting_guard.h"

#include <gtest/gtest.h>

#include "html_check.h"
#include "mime/html_sanitize.h"
#include "mime/html_text.h"

namespace postern::mime {
namespace {

std::string repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

std::size_t count(std::string_view s, std::string_view piece) {
  std::size_t n = 0;
  for (auto p = s.find(piece); p != std::string_view::npos; p = s.find(piece, p + 1)) ++n;
  return n;
}

TEST(BoundNesting, DropsStartTagsBeyondTheDepthAndKeepsTheirText) {
  std::string html = repeat("<div class=\"a>b\">x", 30);
  std::string out = detail::bound_nesting(html, 10);
  EXPECT_EQ(count(out, "<div"), 10u);
  EXPECT_EQ(count(out, "x"), 30u);
}

TEST(BoundNesting, LeavesWhatDoesNotStayOpenAlone) {
  for (std::string html :
       {repeat("<p>para", 50), repeat("<li>item", 50), repeat("<tr><td>cell", 50),
        repeat("a<br>b<img src=x><hr>", 50), repeat("<div>x</div>", 50),
        "<script>" + repeat("<div>", 50) + "</script>", "<!--" + repeat("<div>", 50) + "-->",
        "<style>" + repeat("<b>", 50) + "</STYLE>", repeat("<!--><b></b>", 50)}) {
    EXPECT_EQ(detail::bound_nesting(html, 10), html);
  }
}

TEST(HtmlSanitize, DeepNestingIsCutAndQuick) {
  SanitizedHtml out = sanitize_html(repeat("<div>", 200000) + "deep");
  EXPECT_NE(out.html.find("deep"), std::string::npos);
  EXPECT_EQ(count(out.html, "<div>"), detail::kMaxHtmlNesting);
  EXPECT_TRUE(test::executable_parts(out.html).empty());
}

TEST(HtmlSanitize, TreesFarLargerThanTheirSourceAreNotBuilt) {
  // Each paragraph reopens the 900 formatting elements the </div> closed:
  // 20 KB of source, gigabytes of tree.
  std::string html = "<div>";
  for (int i = 0; i < 900; ++i) html += "<b id=" + std::to_string(i) + ">";
  html += "</div>" + repeat("<p>x", 3000);
  SanitizedHtml out = sanitize_html(html);
  EXPECT_NE(out.html.find("too costly to parse"), std::string::npos) << out.html.substr(0, 300);
  EXPECT_LT(out.html.size(), 1000u);
  EXPECT_TRUE(test::executable_parts(out.html).empty());
  // A smaller one is shown whole.
  EXPECT_EQ(sanitize_html("<div><b id=1><b id=2></div>" + repeat("<p>x", 10)).html.find("costly"),
            std::string::npos);
}

TEST(HtmlToText, DeepNestingIsCutAndQuick) {
  EXPECT_EQ(html_to_text(repeat("<div>", 200000) + "deep"), "deep");
}

TEST(HtmlToText, TreesFarLargerThanTheirSourceGiveNoText) {
  // As for the sanitiser (nesting_guard_test.cpp): 20 KB of source that
  // would build gigabytes of tree is not parsed.
  std::string html = "<div>";
  for (int i = 0; i < 900; ++i) html += "<b id=" + std::to_string(i) + ">";
  html += "</div>" + repeat("<p>x", 3000);
  EXPECT_EQ(html_to_text(html), "");
  EXPECT_EQ(html_to_text("<div><b id=1><b id=2></div>" + repeat("<p>x", 3)), "x\nx\nx");
}

}  // namespace
}  // namespace postern::mime
