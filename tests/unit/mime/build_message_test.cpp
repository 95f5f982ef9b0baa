// build_message: header fields, MIME structure, encodings, determinism.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "core/base64.h"
#include "mime/mime.h"
#include "mime_test_support.h"

namespace postern::mime {
namespace {

using test::crlf_lines;
using test::header_value;
using test::mime_tree;
using test::sample_options;

Attachment file(std::string name, std::string type, std::string content) {
  Attachment a;
  a.filename = std::move(name);
  a.content_type = std::move(type);
  a.content = std::move(content);
  return a;
}

Attachment inline_image(std::string cid) {
  Attachment a = file("logo.png", "image/png", "\x89PNG\r\n\x1a\n fake");
  a.is_inline = true;
  a.content_id = std::move(cid);
  return a;
}

TEST(BuildMessage, TextOnlyMessageIsExactlyTheseBytes) {
  Message m = test::minimal_message();
  m.text = "Hello\nWorld\n";
  EXPECT_EQ(build_message(m, sample_options()),
            "From: Alice <alice@example.com>\r\n"
            "To: bob@example.org\r\n"
            "Subject: Hi\r\n"
            "Date: Tue, 01 Jul 2025 09:05:03 +0000\r\n"
            "Message-ID: <0abc123@postern.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "\r\n"
            "Hello\r\n"
            "World\r\n");
}

TEST(BuildMessage, HeaderOrderIsFixedAndCustomHeadersComeLast) {
  Message m = test::minimal_message();
  m.cc = {{"", "carol@example.org"}};
  m.reply_to = {{"", "replies@example.com"}};
  m.headers = {{"X-Campaign", "july"}, {"List-Unsubscribe", "<mailto:u@example.com>"}};
  m.text = "x";
  BuildOptions options = sample_options();
  options.extra_headers = {{"X-Postern-Id", "01jzabc"}};
  std::string raw = build_message(m, options);
  EXPECT_EQ(
      test::header_names(raw),
      (std::vector<std::string>{"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID",
                                "MIME-Version", "X-Campaign", "List-Unsubscribe", "X-Postern-Id",
                                "Content-Type", "Content-Transfer-Encoding"}));
  EXPECT_EQ(header_value(raw, "X-Postern-Id"), "01jzabc");
  EXPECT_EQ(header_value(raw, "List-Unsubscribe"), "<mailto:u@example.com>");
}

TEST(BuildMessage, BccIsNeverWritten) {
  Message m = test::minimal_message();
  m.bcc = {{"Secret", "hidden@example.net"}, {"", "also-hidden@example.net"}};
  m.text = "body";
  m.headers = {{"Bcc", "smuggled@example.net"}};  // structural: never taken from headers
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(ascii_lowered(raw).find("bcc"), std::string::npos);
  EXPECT_EQ(raw.find("hidden@example.net"), std::string::npos);
  EXPECT_EQ(raw.find("smuggled"), std::string::npos);
}

TEST(BuildMessage, StructuralAndContentHeadersAreNotTakenFromCustomHeaders) {
  Message m = test::minimal_message();
  m.text = "body";
  m.headers = {{"Subject", "other"},
               {"Content-Type", "text/html"},
               {"Content-Language", "en"},
               {"X-Ok", "yes"}};
  std::string raw = build_message(m, sample_options());
  auto names = test::header_names(raw);
  EXPECT_EQ(std::count(names.begin(), names.end(), "Subject"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "Content-Type"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "Content-Language"), 0);
  EXPECT_EQ(header_value(raw, "X-Ok"), "yes");
}

TEST(BuildMessage, DateIsRfc5322InUtc) {
  Message m = test::minimal_message();
  BuildOptions options = sample_options();
  using namespace std::chrono;
  options.date = sys_days{year{2024} / February / 29} + hours{23} + minutes{59} + seconds{59} +
                 milliseconds{999};
  EXPECT_EQ(header_value(build_message(m, options), "Date"), "Thu, 29 Feb 2024 23:59:59 +0000");
}

struct StructureCase {
  const char* name;
  bool text;
  bool html;
  int inline_parts;
  int attachments;
  const char* tree;
};

class BuildStructure : public ::testing::TestWithParam<StructureCase> {};

TEST_P(BuildStructure, HasTheExpectedMimeTree) {
  const auto& c = GetParam();
  Message m = test::minimal_message();
  if (c.text) m.text = "plain body\n";
  if (c.html) m.html = "<p>html body</p>\n";
  for (int i = 0; i < c.inline_parts; ++i) {
    m.attachments.push_back(inline_image("img" + std::to_string(i)));
  }
  for (int i = 0; i < c.attachments; ++i) {
    m.attachments.push_back(file("f" + std::to_string(i) + ".pdf", "application/pdf", "%PDF-1.4"));
  }
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(mime_tree(raw), c.tree);
  EXPECT_TRUE(test::only_crlf(raw));
  EXPECT_LE(test::longest_line(raw), 998u);
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, BuildStructure,
    ::testing::Values(
        StructureCase{"empty", false, false, 0, 0, "text/plain"},
        StructureCase{"text", true, false, 0, 0, "text/plain"},
        StructureCase{"html", false, true, 0, 0, "text/html"},
        StructureCase{"text_html", true, true, 0, 0, "multipart/alternative(text/plain,text/html)"},
        StructureCase{"text_attachment", true, false, 0, 1,
                      "multipart/mixed(text/plain,application/pdf)"},
        StructureCase{"html_inline", false, true, 2, 0,
                      "multipart/related(text/html,image/png,image/png)"},
        StructureCase{"text_html_inline", true, true, 1, 0,
                      "multipart/alternative(text/plain,multipart/related(text/html,image/png))"},
        StructureCase{"text_html_attachments", true, true, 0, 2,
                      "multipart/mixed(multipart/alternative(text/plain,text/html),"
                      "application/pdf,application/pdf)"},
        StructureCase{"everything", true, true, 1, 1,
                      "multipart/mixed(multipart/alternative(text/plain,multipart/related("
                      "text/html,image/png)),application/pdf)"},
        StructureCase{"inline_without_html", true, false, 1, 0,
                      "multipart/mixed(text/plain,image/png)"},
        StructureCase{"attachments_only", false, false, 0, 2,
                      "multipart/mixed(application/pdf,application/pdf)"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BuildMessage, RelatedDeclaresItsRootTypeAndInlinePartsCarryContentIds) {
  Message m = test::minimal_message();
  m.html = "<img src=\"cid:logo@example.com\">";
  m.attachments = {inline_image("logo@example.com")};
  std::string raw = build_message(m, sample_options());
  std::string type = header_value(raw, "Content-Type");
  EXPECT_TRUE(type.starts_with("multipart/related;")) << type;
  EXPECT_NE(type.find("type=\"text/html\""), std::string::npos) << type;
  EXPECT_NE(raw.find("Content-Id: <logo@example.com>\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Content-Disposition: inline; filename=logo.png\r\n"), std::string::npos)
      << raw;
}

TEST(BuildMessage, NonAsciiSubjectIsOneEncodedWordThatDecodesBack) {
  Message m = test::minimal_message();
  m.subject = "Caf\xC3\xA9 \xE2\x98\x95 at 10";
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(header_value(raw, "Subject"), "=?utf-8?Q?Caf=C3=A9_=E2=98=95_at_10?=");
  EXPECT_EQ(test::gmime_decode_text(header_value(raw, "Subject")), m.subject);
}

TEST(BuildMessage, LongNonAsciiSubjectIsSplitIntoShortWordsAndFolded) {
  Message m = test::minimal_message();
  for (int i = 0; i < 20; ++i) m.subject += "R\xC3\xA9union \xE6\x97\xA5\xE6\x9C\xAC ";
  m.subject += "end";
  std::string raw = build_message(m, sample_options());
  std::string header = test::header_section(raw);
  for (const auto& line : crlf_lines(header)) EXPECT_LE(line.size(), 76u) << line;  // RFC 2047 §2
  std::string value = header_value(raw, "Subject");
  std::size_t words = 0;
  for (std::size_t p = value.find("=?"); p != std::string::npos; p = value.find("=?", p + 2)) {
    auto end = value.find("?=", p + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - p, 75u);  // RFC 2047 §2
    ++words;
  }
  EXPECT_GT(words, 5u);
  EXPECT_EQ(test::gmime_decode_text(value), m.subject);
}

TEST(BuildMessage, LongNonAsciiDisplayNamesKeepEncodedLinesWithin76) {
  Message m = test::minimal_message();
  m.from = {std::string(30, 'a') + " \xC3\xA9 " + std::string(80, 'b'), "long@example.com"};
  m.to = {{"x", "x@example.org"},
          {"\xE6\x97\xA5\xE6\x9C\xAC " + std::string(70, 'c'), "y@example.org"}};
  std::string raw = build_message(m, sample_options());
  for (const auto& line : crlf_lines(test::header_section(raw))) {
    EXPECT_LE(line.size(), 76u) << line;
  }
  auto summary = summarize(raw);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->from, m.from);
  EXPECT_EQ(summary->to, m.to);
}

TEST(BuildMessage, DisplayNamesAreQuotedOrEncodedAsNeeded) {
  Message m = test::minimal_message();
  m.from = {"Jos\xC3\xA9 M\xC3\xBCller", "jose@example.com"};
  m.to = {{"Doe, Jane", "jane@example.org"},
          {"Plain Name", "p@example.org"},
          {"Say \"hi\"", "q@example.org"}};
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(header_value(raw, "From"), "=?utf-8?Q?Jos=C3=A9_M=C3=BCller?= <jose@example.com>");
  EXPECT_EQ(header_value(raw, "To"),
            "\"Doe, Jane\" <jane@example.org>, Plain Name <p@example.org>, "
            "\"Say \\\"hi\\\"\" <q@example.org>");
}

TEST(BuildMessage, LongRecipientListsAreFoldedAndSurviveSummarize) {
  Message m = test::minimal_message();
  m.to.clear();
  for (int i = 0; i < 40; ++i) {
    m.to.push_back({"Recipient " + std::to_string(i), "user" + std::to_string(i) + "@example.org"});
  }
  std::string raw = build_message(m, sample_options());
  for (const auto& line : crlf_lines(test::header_section(raw))) {
    EXPECT_LE(line.size(), 78u) << line;
  }
  auto summary = summarize(raw);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->to, m.to);
}

TEST(BuildMessage, UnbreakableLongHeaderValuesStayUnder998Octets) {
  Message m = test::minimal_message();
  m.subject = std::string(3000, 'x');
  m.headers = {{"X-Long", std::string(2500, 'y') + " tail"}};
  m.text = "body";
  std::string raw = build_message(m, sample_options());
  EXPECT_LE(test::longest_line(raw), 998u);
  EXPECT_EQ(test::gmime_decode_text(header_value(raw, "Subject")), m.subject);
  EXPECT_EQ(test::gmime_decode_text(header_value(raw, "X-Long")), m.headers[0].second);
}

TEST(BuildMessage, LineBreaksInValuesCannotInjectHeaders) {
  Message m = test::minimal_message();
  m.subject = "hello\r\nBcc: victim@example.com";
  m.headers = {{"X-Note", "a\nTo: other@example.com"}};
  std::string raw = build_message(m, sample_options());
  for (const auto& line : crlf_lines(test::header_section(raw))) {
    EXPECT_FALSE(line.starts_with("Bcc:")) << line;
    EXPECT_NE(line, "To: other@example.com");
  }
  EXPECT_EQ(std::count(raw.begin(), raw.end(), '\n'), std::count(raw.begin(), raw.end(), '\r'));
}

TEST(BuildMessage, AsciiTextWithShortLinesIs7bit) {
  Message m = test::minimal_message();
  m.text = "line one\nline two";
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(header_value(raw, "Content-Transfer-Encoding"), "7bit");
  EXPECT_TRUE(raw.ends_with("\r\n\r\nline one\r\nline two")) << raw;
}

TEST(BuildMessage, NonAsciiTextIsQuotedPrintableUtf8) {
  Message m = test::minimal_message();
  m.text = "caf\xC3\xA9 = 5\xE2\x82\xAC\n";
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(header_value(raw, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(header_value(raw, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_TRUE(raw.ends_with("\r\n\r\ncaf=C3=A9 =3D 5=E2=82=AC\r\n")) << raw;
  EXPECT_EQ(test::gmime_leaf_contents(raw),
            std::vector<std::string>{"caf\xC3\xA9 = 5\xE2\x82\xAC\r\n"});
}

TEST(BuildMessage, LongLinesAreQuotedPrintableWithSoftBreaks) {
  Message m = test::minimal_message();
  m.text = std::string(500, 'a') + "\nshort\n";
  m.html = "<p>" + std::string(2000, 'b') + "</p>";
  std::string raw = build_message(m, sample_options());
  EXPECT_LE(test::longest_line(raw), 78u);
  auto contents = test::gmime_leaf_contents(raw);
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[0], std::string(500, 'a') + "\r\nshort\r\n");
  EXPECT_EQ(contents[1], m.html);
}

TEST(BuildMessage, TrailingWhitespaceAndBoundaryLookalikesForceQuotedPrintable) {
  Message m = test::minimal_message();
  m.text = "keep my spaces   \nend";
  EXPECT_EQ(header_value(build_message(m, sample_options()), "Content-Transfer-Encoding"),
            "quoted-printable");
  m.text = "--=_pst_0000000000000000_0\n";
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(header_value(raw, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_NE(raw.find("--=3D_pst_"), std::string::npos);
}

TEST(BuildMessage, BareCrAndCrlfInTextBecomeCrlfLines) {
  Message m = test::minimal_message();
  m.text = "a\r\nb\rc\nd";
  std::string raw = build_message(m, sample_options());
  EXPECT_TRUE(test::only_crlf(raw));
  EXPECT_TRUE(raw.ends_with("\r\n\r\na\r\nb\r\nc\r\nd")) << raw;
}

TEST(BuildMessage, AttachmentsAreBase64AndDecodeToTheSameBytes) {
  Message m = test::minimal_message();
  m.text = "see attached";
  m.attachments = {file("blob.bin", "application/octet-stream", test::all_bytes(5))};
  std::string raw = build_message(m, sample_options());
  EXPECT_NE(raw.find("Content-Transfer-Encoding: base64\r\n"), std::string::npos);
  EXPECT_NE(raw.find("Content-Disposition: attachment; filename=blob.bin\r\n"), std::string::npos);
  EXPECT_LE(test::longest_line(raw), 78u);
  // The base64 text between the part's blank line and the next delimiter.
  std::size_t header_end = raw.find("\r\n\r\n", raw.find("filename=blob.bin"));
  std::size_t body_end = raw.find("\r\n--=_pst_", header_end);
  ASSERT_NE(body_end, std::string::npos);
  auto decoded = base64_decode(raw.substr(header_end + 4, body_end - header_end - 4));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, test::all_bytes(5));
}

TEST(BuildMessage, OverlongAttachmentFieldsNeverMakeLinesOver998) {
  Message m = test::minimal_message();
  m.text = "x";
  Attachment long_name = file(std::string(2000, 'f') + ".pdf", "application/pdf", "a");
  Attachment long_type = file("t.bin", "application/" + std::string(1500, 's'), "b");
  Attachment long_cid = file("c.png", "image/png; comment=\"" + std::string(1500, 'p') + "\"", "c");
  long_cid.content_id = std::string(1200, 'i');
  m.attachments = {long_name, long_type, long_cid};
  std::string raw = build_message(m, sample_options());
  EXPECT_LE(test::longest_line(raw), 998u);
  auto parsed = parse_message(raw);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->attachments.size(), 3u);
  EXPECT_EQ(parsed->attachments[0].filename, long_name.filename);  // RFC 2231 continuations
  EXPECT_EQ(parsed->attachments[1].content_type, "application/octet-stream");
  EXPECT_EQ(parsed->attachments[2].content_type, "image/png; comment=" + std::string(1500, 'p'));
  EXPECT_EQ(parsed->attachments[2].content_id, "");
}

TEST(BuildMessage, NonAsciiFileNamesAreRfc2231Encoded) {
  Message m = test::minimal_message();
  m.text = "cv";
  m.attachments = {file("r\xC3\xA9sum\xC3\xA9.pdf", "application/pdf", "%PDF")};
  std::string raw = build_message(m, sample_options());
  EXPECT_NE(raw.find("Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf\r\n"),
            std::string::npos)
      << raw;
  auto parsed = parse_message(raw);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->attachments.size(), 1u);
  EXPECT_EQ(parsed->attachments[0].filename, "r\xC3\xA9sum\xC3\xA9.pdf");
}

TEST(BuildMessage, SameInputGivesSameBytesAndBoundariesFollowTheMessageId) {
  Message m = test::minimal_message();
  m.text = "t";
  m.html = "<b>h</b>";
  m.attachments = {inline_image("c1"), file("a.txt", "text/plain", "data")};
  std::string first = build_message(m, sample_options("one@postern.test"));
  EXPECT_EQ(first, build_message(m, sample_options("one@postern.test")));
  std::string other = build_message(m, sample_options("two@postern.test"));
  EXPECT_NE(first, other);
  auto boundary_of = [](const std::string& raw) {
    std::string ct = header_value(raw, "Content-Type");
    return ct.substr(ct.find("boundary="));
  };
  EXPECT_NE(boundary_of(first), boundary_of(other));
  EXPECT_NE(boundary_of(first).find("=_pst_"), std::string::npos);
}

TEST(BuildMessage, ForwardedMessagesStayUnencodedAndMultipartAttachmentsBecomeOpaque) {
  Message m = test::minimal_message();
  m.text = "fwd";
  m.attachments = {
      file("fwd.eml", "message/rfc822", "From: a@b.example\r\nSubject: x\r\n\r\nhi\r\n"),
      file("odd.bin", "multipart/mixed", "not really")};
  std::string raw = build_message(m, sample_options());
  EXPECT_EQ(mime_tree(raw), "multipart/mixed(text/plain,message/rfc822,application/octet-stream)");
  EXPECT_NE(raw.find("Content-Transfer-Encoding: 7bit\r\nContent-Disposition: attachment; "
                     "filename=fwd.eml"),
            std::string::npos)
      << raw;
}

}  // namespace
}  // namespace postern::mime
