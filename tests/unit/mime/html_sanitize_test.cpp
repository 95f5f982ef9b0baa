// sanitize_html: the classics of XSS cheat sheets, each must lose
// everything executable and keep its visible text; remote content blocked
// and allowed; cid: references rewritten.
#include "mime/html_sanitize.h"

#include <gtest/gtest.h>

#include "core/ascii.h"
#include "core/utf8.h"
#include "html_check.h"

namespace postern::mime {
namespace {

using namespace std::string_literals;

struct Hostile {
  const char* name;
  std::string html;
  std::vector<std::string> visible;    // text the reader must still see
  std::vector<std::string> forbidden;  // must not appear (case-insensitive) anywhere in the output
};

std::vector<Hostile> hostile_table() {
  return {
      {"script",
       "<p>Hello</p><script>alert(1)</script><p>world</p>",
       {"Hello", "world"},
       {"alert"}},
      {"script in head",
       "<html><head><script>alert(1)</script></head><body>body</body></html>",
       {"body"},
       {"alert"}},
      {"img onerror", "<img src=x onerror=alert(1)>after", {"after"}, {"onerror", "alert"}},
      {"a javascript:",
       "<a href=\"javascript:alert(1)\">click</a>",
       {"click"},
       {"javascript", "href"}},
      {"entity-encoded javascript:",
       "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">a</a>"
       "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(2)\">b</a>"
       "<a href=\"jav&#x09;ascript:alert(3)\">c</a><a href=\"jav&#x0A;ascript:alert(4)\">d</a>"
       "<a href=\"&#14;  javascript:alert(5)\">e</a><a href=\"java&Tab;script:alert(6)\">f</a>",
       {"a", "b", "c", "d", "e", "f"},
       {"javascript", "href"}},
      {"vbscript: and data:text/html",
       "<a href=\"vbscript:msgbox(1)\">v</a>"
       "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">d</a>",
       {"v", "d"},
       {"vbscript", "data:", "href"}},
      {"svg onload",
       "<svg onload=alert(1)><text>in svg</text></svg>bye",
       {"bye"},
       {"svg", "onload", "alert"}},
      {"math mXSS",
       "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
       {},
       {"onerror", "math", "mglyph"}},
      {"noscript mXSS",
       "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
       {},
       {"<img", "<noscript"}},
      {"style @import",
       "<style>@import url(http://evil.example/x.css); p { color: red }</style>"
       "<p>styled</p>",
       {"styled"},
       {"@import", "evil"}},
      {"style @import escaped",
       "<style>@\\69mport 'http://evil.example/x.css';</style>ok",
       {"ok"},
       {"import", "evil"}},
      {"css expression()",
       "<div style=\"width: expression(alert(1)); color: blue\">x1</div>"
       "<div style=\"width: ex\\70 ression(alert(2))\">x2</div>"
       "<div style=\"width: exp/**/ression(alert(3))\">x3</div>"
       "<style>p { width: expression(alert(4)) }</style>",
       {"x1", "x2", "x3"},
       {"expression", "alert"}},
      {"css javascript url",
       "<div style=\"background: url(javascript:alert(1))\">bg</div>"
       "<div style=\"background: url('j&#97;vascript:alert(2)')\">bg2</div>",
       {"bg", "bg2"},
       {"javascript", "alert"}},
      {"css behavior and binding",
       "<div style=\"behavior: url(x.htc); -moz-binding: url(x.xml#xss); color: red\">b</div>",
       {"b"},
       {"behavior", "binding", "x.htc"}},
      {"style breakout",
       "<div style=\"x:</style><script>alert(1)</script>\">s</div>"
       "<style>p{}</style><img src=x onerror=alert(2)>",
       {"s"},
       {"<script", "onerror", "alert(2)"}},
      {"style closing inside css",
       "<style>p { content: \"</style><script>alert(1)</script>\" }"
       "</style>t",
       {"t"},
       {"<script", "</style><"}},
      {"meta refresh",
       "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">hi",
       {"hi"},
       {"refresh", "javascript"}},
      {"base href",
       "<base href=\"javascript:alert(1)//\"><a href=\"/x\">rel</a>",
       {"rel"},
       {"<base", "javascript", "href"}},
      {"form",
       "<form action=\"http://evil.example/\"><input name=p value=secret>"
       "<button formaction=\"javascript:alert(1)\">Go</button></form>",
       {"Go"},
       {"<form", "action", "<input", "secret", "<button"}},
      {"iframe object embed",
       "<iframe src=\"http://evil.example/\">if</iframe>"
       "<object data=\"x.swf\">ob</object><embed src=\"x.swf\">tail",
       {"tail"},
       {"iframe", "object", "embed", "swf"}},
      {"body onload",
       "<body onload=alert(1) bgcolor=\"#ffeedd\">text</body>",
       {"text"},
       {"onload", "alert"}},
      {"nested and unclosed",
       "<div><p><b>bold<i>it</div><table><tr><td>cell",
       {"bold", "it", "cell"},
       {}},
      {"split script tag", "<scr<script>ipt>alert(1)</script>rest", {"rest"}, {"<script"}},
      {"comment hides tags",
       "<!-- <script>alert(1)</script> -->visible"
       "<!--[if gte mso 9]><script>alert(2)</script><![endif]-->",
       {"visible"},
       {"alert", "<!--"}},
      {"abrupt comment",
       "<!--><img src=x onerror=alert(1)>-->after",
       {"after"},
       {"onerror", "alert"}},
      {"mixed case",
       "<ScRiPt>alert(1)</sCrIpT><IMG SRC=\"JaVaScRiPt:alert(2)\" OnErRoR=alert(3)>"
       "<A HREF=\"JAVASCRIPT:alert(4)\" OnClick=\"alert(5)\">mc</A>",
       {"mc"},
       {"alert", "javascript", "onclick", "onerror"}},
      {"null bytes",
       "<scr\0ipt>alert(1)</script><a href=\"java\0script:alert(2)\">n</a>"
       "<img src=x on\0error=alert(3)>"s,
       {"n"},
       {"<scr", "javascript", "onerror", "alert(2)", "alert(3)"}},
      {"xmp keeps text",
       "<xmp><script>alert(1)</script></xmp>",
       {"<script>alert(1)</script>"},
       {"<script", "<xmp"}},
      {"isindex and link",
       "<isindex action=javascript:alert(1) type=image>"
       "<link rel=stylesheet href=\"http://evil.example/x.css\">k",
       {"k"},
       {"isindex", "<link", "evil"}},
      {"table background javascript",
       "<table background=\"javascript:alert(1)\"><tr><td>t</td>"
       "</tr></table>",
       {"t"},
       {"javascript"}},
      {"unterminated attribute",
       "<p>before</p><img src=\"x onerror=alert(1)",
       {"before"},
       {"onerror"}},
      {"template and frameset",
       "<template><script>alert(1)</script></template>"
       "<frameset><frame src=\"javascript:alert(2)\"></frameset>tpl",
       {},
       {"alert", "template", "frame"}},
  };
}

TEST(HtmlSanitize, HostileHtmlLosesEverythingExecutableAndKeepsItsText) {
  for (const auto& c : hostile_table()) {
    SCOPED_TRACE(c.name);
    SanitizedHtml out = sanitize_html(c.html);
    EXPECT_EQ(test::executable_parts(out.html), std::vector<std::string>{}) << out.html;
    std::string text = test::visible_text(out.html);
    for (const auto& visible : c.visible)
      EXPECT_NE(text.find(visible), std::string::npos)
          << "'" << visible << "' not visible in: " << out.html;
    std::string lowered = ascii_lowered(out.html);
    for (const auto& bad : c.forbidden) {
      EXPECT_EQ(lowered.find(ascii_lowered(bad)), std::string::npos)
          << "'" << bad << "' survived: " << out.html;
    }
  }
}

TEST(HtmlSanitize, KeepsTheFormattingOfMail) {
  SanitizedHtml out = sanitize_html(
      "<html><head><style>.x { color: #333; font-size: 14px }</style></head>"
      "<body bgcolor=\"#eeeeee\"><table width=\"600\" cellpadding=\"4\" align=\"center\"><tr>"
      "<td style=\"padding: 8px; font-family: Arial, sans-serif\"><h1 class=\"x\">Title</h1>"
      "<p>A <b>bold</b> and <a href=\"https://example.com/a?b=1&amp;c=2\">link</a>.</p>"
      "<font color=\"red\" face=\"Verdana\">old</font><br><hr><ul><li>one</li></ul>"
      "<a href=\"mailto:a@example.com\">mail</a> <a href=\"#top\">up</a>"
      "</td></tr></table></body></html>");
  EXPECT_EQ(out.blocked_remote, 0u);
  const std::string& h = out.html;
  EXPECT_NE(h.find("<style>\n.x { color: #333; font-size: 14px }\n</style>"), std::string::npos)
      << h;
  EXPECT_NE(h.find("<body bgcolor=\"#eeeeee\">"), std::string::npos) << h;
  EXPECT_NE(h.find("<table width=\"600\" cellpadding=\"4\" align=\"center\"><tbody><tr>"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("<td style=\"padding: 8px; font-family: Arial, sans-serif\">"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("<h1 class=\"x\">Title</h1>"), std::string::npos) << h;
  EXPECT_NE(h.find("<a href=\"https://example.com/a?b=1&amp;c=2\" target=\"_blank\" "
                   "rel=\"noopener noreferrer\">link</a>"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("<font color=\"red\" face=\"Verdana\">old</font><br><hr>"), std::string::npos)
      << h;
  EXPECT_NE(h.find("<a href=\"mailto:a@example.com\" target=\"_blank\""), std::string::npos);
  EXPECT_NE(h.find("<a href=\"#top\">up</a>"), std::string::npos) << h;
  EXPECT_TRUE(test::executable_parts(h).empty());
}

TEST(HtmlSanitize, EscapesTextAndAttributes) {
  SanitizedHtml out = sanitize_html("<p title='a\"b&lt;c'>1 &lt; 2 &amp;&amp; 3 &gt; 2</p>");
  EXPECT_NE(out.html.find("<p title=\"a&quot;b&lt;c\">1 &lt; 2 &amp;&amp; 3 &gt; 2</p>"),
            std::string::npos)
      << out.html;
}

TEST(HtmlSanitize, RemoteImagesAreBlockedAndCounted) {
  std::string html =
      "<img src=\"http://tracker.example/open.gif\" alt=\"logo\" width=\"1\">"
      "<img src=\"//cdn.example/b.png\">"
      "<div style=\"background-image: url(https://cdn.example/bg.png); color: red\">x</div>"
      "<table><tr><td background=\"https://cdn.example/td.png\">cell</td></tr></table>"
      "<img srcset=\"https://cdn.example/a.png 1x, https://cdn.example/a2.png 2x\">"
      "<img src=\"data:image/png;base64,iVBORw0KGgo=\">";
  SanitizedHtml blocked = sanitize_html(html);
  EXPECT_EQ(blocked.blocked_remote, 5u) << blocked.html;
  EXPECT_EQ(blocked.html.find("example"), std::string::npos) << blocked.html;
  EXPECT_NE(blocked.html.find("<img alt=\"logo\" width=\"1\">"), std::string::npos) << blocked.html;
  EXPECT_NE(blocked.html.find("<img src=\"data:image/png;base64,iVBORw0KGgo=\">"),
            std::string::npos);
  EXPECT_TRUE(test::executable_parts(blocked.html).empty());

  SanitizedHtml allowed = sanitize_html(html, {.allow_remote = true});
  EXPECT_EQ(allowed.blocked_remote, 0u);
  // http: is upgraded: the CSP of remote mode lets only https: load.
  EXPECT_NE(allowed.html.find("<img src=\"https://tracker.example/open.gif\" alt=\"logo\""),
            std::string::npos)
      << allowed.html;
  EXPECT_NE(allowed.html.find("<img src=\"https://cdn.example/b.png\">"), std::string::npos);
  EXPECT_NE(allowed.html.find("background-image: url('https://cdn.example/bg.png'); color: red"),
            std::string::npos)
      << allowed.html;
  EXPECT_TRUE(test::executable_parts(allowed.html).empty());
}

TEST(HtmlSanitize, CidReferencesAreRewrittenThroughTheCallback) {
  SanitizeOptions options;
  std::vector<std::string> asked;
  options.cid_url = [&](std::string_view cid) {
    asked.emplace_back(cid);
    return cid == "logo@example.com" ? std::string("/message/0ABC/attachments/2") : std::string();
  };
  SanitizedHtml out = sanitize_html(
      "<img src=\"cid:logo@example.com\"><img src=\"CID:logo%40example.com\">"
      "<img src=\"cid:missing@example.com\" alt=\"gone\">"
      "<div style=\"background: url('cid:logo@example.com')\">bg</div>"
      "<a href=\"cid:logo@example.com\">file</a>",
      options);
  EXPECT_EQ(asked,
            (std::vector<std::string>{"logo@example.com", "logo@example.com", "missing@example.com",
                                      "logo@example.com", "logo@example.com"}));
  EXPECT_NE(out.html.find("<img src=\"/message/0ABC/attachments/2\"><img "
                          "src=\"/message/0ABC/attachments/2\"><img alt=\"gone\">"),
            std::string::npos)
      << out.html;
  EXPECT_NE(out.html.find("background: url('/message/0ABC/attachments/2')"), std::string::npos)
      << out.html;
  EXPECT_NE(out.html.find("<a href=\"/message/0ABC/attachments/2\" target=\"_blank\""),
            std::string::npos);
  EXPECT_EQ(out.blocked_remote, 0u);
  EXPECT_TRUE(test::executable_parts(out.html).empty());
  // Escapes that decode to bytes no Content-ID holds name no part.
  EXPECT_EQ(sanitize_html("<img src=\"cid:b%C7x\">", options).html.find("src"), std::string::npos);
  // Without a callback, cid: references go.
  EXPECT_EQ(sanitize_html("<img src=\"cid:logo@example.com\">").html.find("cid"),
            std::string::npos);
}

TEST(HtmlSanitize, CallbackUrlsAreEscaped) {
  SanitizeOptions options;
  options.cid_url = [](std::string_view) { return std::string("/a?x=\"><script>"); };
  SanitizedHtml out =
      sanitize_html("<img src=\"cid:x\"><p style=\"background: url(cid:x)\">p</p>", options);
  EXPECT_EQ(out.html.find("<script"), std::string::npos) << out.html;
  EXPECT_NE(out.html.find("src=\"/a?x=&quot;&gt;&lt;script&gt;\""), std::string::npos) << out.html;
}

TEST(HtmlSanitize, NotUtf8InputStillGivesUtf8) {
  SanitizedHtml out = sanitize_html("<p>caf\xE9 \xFF</p>");
  EXPECT_NE(out.html.find("<p>caf\xEF\xBF\xBD \xEF\xBF\xBD</p>"), std::string::npos) << out.html;
}

// A numeric character reference too long for the parser's int (found by
// html_sanitize_fuzz): text and attribute values still come out as UTF-8.
TEST(HtmlSanitize, OverlongCharacterReferenceGivesUtf8) {
  std::string digits(120, 'D');
  SanitizedHtml out = sanitize_html("<p title=\"&#x09" + digits + ";\">&#x09" + digits + ";</p>");
  EXPECT_TRUE(is_valid_utf8(out.html)) << out.html;
  EXPECT_NE(out.html.find("<p title="), std::string::npos) << out.html;
}

TEST(EscapeHtml, EscapesWhatTextAndAttributesNeed) {
  EXPECT_EQ(escape_html("a<b>&\"c'\0d"s), "a&lt;b&gt;&amp;&quot;c'd");
  EXPECT_EQ(escape_html("caf\xC3\xA9"), "caf\xC3\xA9");
}

TEST(HtmlSanitize, CspForbidsScriptsAndRemoteUnlessAsked) {
  EXPECT_TRUE(kSanitizedHtmlCsp.starts_with("default-src 'none';"));
  EXPECT_NE(kSanitizedHtmlCsp.find("img-src 'self' data:;"), std::string_view::npos);
  EXPECT_EQ(kSanitizedHtmlCsp.find("script-src"), std::string_view::npos);  // default: none
  EXPECT_EQ(kSanitizedHtmlCsp.find("https:"), std::string_view::npos);
  EXPECT_NE(kSanitizedHtmlRemoteCsp.find("img-src 'self' data: https:;"), std::string_view::npos);
  EXPECT_EQ(sanitized_html_csp(false), kSanitizedHtmlCsp);
  EXPECT_EQ(sanitized_html_csp(true), kSanitizedHtmlRemoteCsp);
}

}  // namespace
}  // namespace postern::mime
