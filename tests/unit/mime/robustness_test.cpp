// Randomized robustness: valid messages mutated byte-wise thousands of
// times must never crash summarize, parse_message or strip_bcc (run under
// ASan/UBSan), and the three must stay consistent with each other.
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "core/ascii.h"
#include "core/utf8.h"
#include "mime/detail/address_list.h"
#include "mime/detail/charset.h"
#include "mime/detail/header_section.h"
#include "mime/detail/rfc2047.h"
#include "mime/mime.h"
#include "mime_test_support.h"

namespace postern::mime {
namespace {

constexpr int kIterations = 3000;

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  Message m = test::minimal_message();
  m.cc = {{"Doe, Jane", "jane@example.org"}};
  m.bcc = {{"", "hidden@example.net"}};
  m.subject = "R\xC3\xA9union \xE6\x97\xA5\xE6\x9C\xAC";
  m.text = "Bonjour \xC3\xA0 tous\n" + std::string(100, 'x') + "\n";
  m.html = "<p>hi</p><img src=\"cid:i@x\">";
  Attachment inline_part{"i.png", "image/png", test::all_bytes(1), "i@x", true};
  Attachment file{"r\xC3\xA9sum\xC3\xA9.pdf", "application/pdf", "%PDF-1.7", "", false};
  m.attachments = {inline_part, file};
  out.push_back(build_message(m, test::sample_options()));
  m.attachments.clear();
  m.html.clear();
  out.push_back(build_message(m, test::sample_options()));
  out.push_back(
      "From: a@example.com\r\n"
      "Bcc: x@example.net,\r\n\ty@example.net\r\n"
      "To: \"B\" <b@example.org>, team: c@example.org;\r\n"
      "Subject: =?iso-8859-1?q?R=E9sum=E9?= =?utf-8?B?w6k=?=\r\n"
      "Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n"
      "\r\n"
      "--XYZ\r\n"
      "Content-Type: text/plain; charset=windows-1252\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "caf=E9 =\r\nsoft\r\n"
      "--XYZ\r\n"
      "Content-Type: message/rfc822\r\n"
      "\r\n"
      "From: c@example.com\r\n\r\ninner\r\n"
      "--XYZ\r\n"
      "Content-Type: application/octet-stream; name*=utf-8''%C3%A9.bin\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n"
      "AAECAwQF\r\n"
      "--XYZ--\r\n");
  return out;
}

constexpr std::array<std::string_view, 26> kTokens = {"\r\n",
                                                      "\n",
                                                      "\r",
                                                      ":",
                                                      " ",
                                                      "\t",
                                                      "=?utf-8?B?",
                                                      "=?x?Q?=",
                                                      "?=",
                                                      "--",
                                                      "--=_pst_",
                                                      "<",
                                                      ">",
                                                      "\"",
                                                      "(",
                                                      ")",
                                                      "\\",
                                                      ",",
                                                      ";",
                                                      "Bcc: ",
                                                      "\r\n ",
                                                      "\r\n\r\n",
                                                      "Content-Type: multipart/mixed; boundary=",
                                                      std::string_view("\0", 1),
                                                      "\xFF",
                                                      "@"};

bool has_bcc_field(std::string_view raw) {
  for (const auto& field : detail::scan_header(raw).fields) {
    if (ascii_iequals(field.name, "bcc")) return true;
  }
  return false;
}

TEST(Robustness, MutatedMessagesNeverBreakTheInvariants) {
  std::mt19937_64 rng(20250701);
  auto base = seeds();
  int accepted = 0;
  for (int i = 0; i < kIterations; ++i) {
    std::string raw = test::mutate(base[static_cast<std::size_t>(i) % base.size()], rng, kTokens);
    auto summary = summarize(raw);
    auto parsed = parse_message(raw);
    std::string stripped = strip_bcc(raw);
    SCOPED_TRACE("iteration " + std::to_string(i));

    EXPECT_LE(stripped.size(), raw.size());
    EXPECT_FALSE(has_bcc_field(stripped));
    EXPECT_EQ(strip_bcc(stripped), stripped);
    // parse_message accepts exactly what summarize accepts.
    EXPECT_EQ(static_cast<bool>(summary), static_cast<bool>(parsed));
    if (!summary) continue;
    ++accepted;
    EXPECT_TRUE(validate_address(summary->from.address));
    EXPECT_TRUE(is_valid_utf8(summary->subject));
    auto after = summarize(stripped);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_TRUE(after->bcc.empty());
    EXPECT_EQ(after->from, summary->from);
    EXPECT_EQ(after->to, summary->to);
    if (parsed) {
      EXPECT_TRUE(is_valid_utf8(parsed->text));
      EXPECT_TRUE(is_valid_utf8(parsed->html));
      for (const auto& [name, value] : parsed->headers) EXPECT_TRUE(is_valid_utf8(value)) << name;
    }
  }
  RecordProperty("accepted", accepted);
  // The mutations must leave enough messages valid to exercise the
  // accepting paths, not only the refusals.
  EXPECT_GT(accepted, kIterations / 10);
}

TEST(Robustness, RandomHeaderTextNeverBreaksTheDecoders) {
  std::mt19937_64 rng(42);
  const std::string alphabet = "=?_QqBb-utf8:;<>@,.\"()\\ \tabcxyz\x80\xC3\xA9\xFF\r\n";
  for (int i = 0; i < kIterations; ++i) {
    std::string text;
    std::size_t n = rng() % 200;
    for (std::size_t k = 0; k < n; ++k) text.push_back(alphabet[rng() % alphabet.size()]);
    std::string decoded = detail::decode_text(text);
    EXPECT_TRUE(is_valid_utf8(decoded)) << text;
    auto list = detail::parse_address_list(text);
    if (list) {
      for (const auto& m : list->mailboxes) {
        EXPECT_TRUE(validate_address(m.address)) << m.address;
        EXPECT_TRUE(is_valid_utf8(m.name)) << text;
      }
    }
  }
}

TEST(Robustness, BuiltMessagesOfRandomContentRoundTrip) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    Message m = test::minimal_message();
    auto random_text = [&](std::size_t max) {
      static const std::array<std::string_view, 10> pieces = {
          "a", " ", "\n", "\xC3\xA9", "\xE6\x97\xA5", "=", "_", "?", "=?", std::string_view("x\t")};
      std::string s;
      std::size_t n = rng() % max;
      for (std::size_t k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
      return s;
    };
    m.text = random_text(400);
    m.html = random_text(400);
    m.subject = random_text(100);
    while (m.subject.find('\n') != std::string::npos) m.subject.erase(m.subject.find('\n'), 1);
    while (!m.subject.empty() && (m.subject.back() == ' ' || m.subject.back() == '\t')) {
      m.subject.pop_back();
    }
    while (!m.subject.empty() && (m.subject.front() == ' ' || m.subject.front() == '\t')) {
      m.subject.erase(0, 1);
    }
    Attachment a;
    a.filename = "f.bin";
    for (std::size_t k = rng() % 3000; k > 0; --k) a.content.push_back(static_cast<char>(rng()));
    m.attachments = {a};
    std::string raw = build_message(m, test::sample_options("id" + std::to_string(i) + "@x"));
    EXPECT_LE(test::longest_line(raw), 998u);
    EXPECT_TRUE(test::only_crlf(raw));
    auto parsed = parse_message(raw);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, m) << raw;
  }
}

}  // namespace
}  // namespace postern::mime
