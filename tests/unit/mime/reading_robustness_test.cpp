// Randomized robustness of what reads caught mail for a person: hostile
// HTML mutated thousands of times must never crash the sanitiser (run
// under ASan/UBSan) nor give anything that could run; mutated MIME must
// never crash the reading view, whose parts must stay consistent.
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "core/utf8.h"
#include "html_check.h"
#include "mime/html_sanitize.h"
#include "mime/html_text.h"
#include "mime/reading_view.h"
#include "mime_test_support.h"

namespace postern::mime {
namespace {

constexpr int kIterations = 3000;

const std::array<std::string, 5> kHtmlSeeds = {
    "<html><head><style>p { color: red; background: url(http://x.example/a.png) }</style>"
    "<script>alert(1)</script></head><body bgcolor=\"#fff\" onload=\"alert(2)\">"
    "<table background=\"cid:bg@x\"><tr><td style=\"font: 12px Arial\">cell</td></tr></table>"
    "<a href=\"https://example.com/\">link</a><img src=\"cid:logo@x\" alt=\"logo\"></body></html>",
    "<p>a<img src=x onerror=alert(1)><svg onload=alert(2)><a href=\"jav&#x09;ascript:x\">b</a>"
    "<!-- <script>c</script> --><noscript><p title=\"</noscript><img src=x onerror=y>\">",
    "<div style=\"width: ex\\70 ression(alert(1)); background: url('//t.example/p.gif')\">"
    "<form action=x><input value=v><button>go</button></form><math><mtext><style>x</style>",
    "<style>@import 'x.css'; @media screen { .a { color: blue } } @font-face { src: url(x) }"
    "</style><base href=\"javascript:x\"><meta http-equiv=refresh content=\"0;url=x\">text",
    "<xmp><script>x</script></xmp><template><img src=x onerror=y></template><iframe srcdoc="
    "\"<script>x</script>\"></iframe><a href=\"cid:file@x\" onclick=x>file</a>",
};

constexpr std::array<std::string_view, 32> kHtmlTokens = {"<script>",
                                                          "</script>",
                                                          "<img src=x onerror=",
                                                          " onload=",
                                                          "javascript:",
                                                          "&#106;",
                                                          "&#x0A;",
                                                          "<style>",
                                                          "</style>",
                                                          "<!--",
                                                          "-->",
                                                          "<svg>",
                                                          "<math>",
                                                          "url(",
                                                          "expression(",
                                                          "\\",
                                                          "\"",
                                                          "'",
                                                          "<",
                                                          ">",
                                                          "=",
                                                          std::string_view("\0", 1),
                                                          "<a href=",
                                                          "cid:",
                                                          "http://",
                                                          "@import",
                                                          "<table>",
                                                          "<template>",
                                                          "<xmp>",
                                                          "<![CDATA[",
                                                          "/*",
                                                          "*/"};

std::string cid_url(std::string_view cid) {
  return "/message/0ABC/attachments/" + std::string(cid);
}

void expect_clean(const SanitizedHtml& out, const std::string& input) {
  EXPECT_EQ(test::executable_parts(out.html), std::vector<std::string>{}) << input;
  EXPECT_TRUE(is_valid_utf8(out.html)) << input;
  EXPECT_EQ(out.html.find("<script"), std::string::npos) << input;
}

TEST(ReadingRobustness, MutatedHtmlNeverKeepsAnythingExecutable) {
  std::mt19937_64 rng(20261206);
  SanitizeOptions with_cid{.allow_remote = false, .cid_url = cid_url};
  SanitizeOptions remote{.allow_remote = true, .cid_url = cid_url};
  for (int i = 0; i < kIterations; ++i) {
    std::string html =
        test::mutate(kHtmlSeeds[static_cast<std::size_t>(i) % kHtmlSeeds.size()], rng, kHtmlTokens);
    SCOPED_TRACE("iteration " + std::to_string(i));
    SanitizedHtml blocked = sanitize_html(html, with_cid);
    expect_clean(blocked, html);
    SanitizedHtml allowed = sanitize_html(html, remote);
    expect_clean(allowed, html);
    EXPECT_EQ(allowed.blocked_remote, 0u);
    // What comes out is stable: sanitising it again finds nothing to block.
    SanitizedHtml again = sanitize_html(blocked.html, with_cid);
    expect_clean(again, blocked.html);
    EXPECT_EQ(again.blocked_remote, 0u) << blocked.html;
    // The same HTML read as text, for search: never a crash, always UTF-8.
    EXPECT_TRUE(is_valid_utf8(html_to_text(html))) << html;
  }
}

TEST(ReadingRobustness, RandomBytesNeverBreakTheSanitiser) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "<>/=\"' \t\nabcdefgimnoprstuvxy:;(){}\\&#@*!-\x80\xC3\xA9\xFF";
  for (int i = 0; i < kIterations; ++i) {
    std::string html;
    for (std::size_t k = rng() % 400; k > 0; --k) html.push_back(alphabet[rng() % alphabet.size()]);
    expect_clean(sanitize_html(html, {.allow_remote = (i % 2) == 0, .cid_url = cid_url}), html);
    EXPECT_TRUE(is_valid_utf8(html_to_text(html))) << html;
  }
}

constexpr std::array<std::string_view, 20> kMimeTokens = {
    "\r\n",
    "\r\n\r\n",
    ":",
    "; ",
    "=?utf-8?B?",
    "?=",
    "--B",
    "--B--",
    "\"",
    "filename*0*=utf-8''%C3",
    "charset=shift_jis",
    "Content-Type: multipart/mixed; boundary=B\r\n",
    "Content-ID: <",
    "base64",
    "quoted-printable",
    "<script>",
    "cid:",
    std::string_view("\0", 1),
    "\xFF",
    "Content-Disposition: inline"};

TEST(ReadingRobustness, MutatedMessagesGiveAConsistentView) {
  std::mt19937_64 rng(1206);
  Message m = test::minimal_message();
  m.text = "Bonjour \xC3\xA0 tous\n";
  m.html = "<p>hi<img src=\"cid:i@x\"></p><script>x</script>";
  m.attachments = {{"i.png", "image/png", test::all_bytes(1), "i@x", true},
                   {"r\xC3\xA9sum\xC3\xA9.pdf", "application/pdf", "%PDF-1.7", "", false}};
  const std::string base = build_message(m, test::sample_options());
  for (int i = 0; i < kIterations / 3; ++i) {
    std::string raw = test::mutate(base, rng, kMimeTokens);
    SCOPED_TRACE("iteration " + std::to_string(i));
    ReadingView v = read_view(raw);
    EXPECT_TRUE(is_valid_utf8(v.subject));
    EXPECT_TRUE(is_valid_utf8(v.text));
    EXPECT_TRUE(is_valid_utf8(v.html));
    for (const auto& h : v.headers) EXPECT_TRUE(is_valid_utf8(h.name + h.value));
    for (const auto& list : {v.from, v.to, v.cc, v.bcc, v.reply_to}) {
      for (const auto& mb : list) EXPECT_TRUE(is_valid_utf8(mb.name + mb.address));
    }
    for (const auto& a : v.attachments) {
      EXPECT_TRUE(is_valid_utf8(a.filename + a.content_type + a.content_id));
      auto content = attachment_content(raw, a.id);
      ASSERT_TRUE(content) << a.id;
      EXPECT_EQ(content->content.size(), a.size);
    }
    expect_clean(sanitize_html(v.html, {.cid_url = cid_url}), v.html);
  }
}

}  // namespace
}  // namespace postern::mime
