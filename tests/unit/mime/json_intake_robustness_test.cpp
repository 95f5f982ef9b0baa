// Randomized robustness of the JSON intake (POST /v1/messages): random and
// mutated bodies through message_from_json, as the API parses them. Run
// under ASan/UBSan; beyond "no crash", whatever intake accepts must be
// something delivery can use, since the stored JSON is parsed again and
// built into MIME only when the message is sent (providers/outbound_message):
// a body accepted here and refused there would end quarantined after its
// 202. So for each accepted body:
// - parsing the stored text again, without limits, gives the same message,
//   and so does its canonical JSON;
// - the built MIME has only CRLF line ends and no line over 998 octets,
//   no header field the message did not ask for (no injection through a
//   value), and summarize and parse_message read it back with the same
//   sender and recipients.
// Refusals carry a known code, a message and, past the JSON syntax, the
// field.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <set>

#include "core/ascii.h"
#include "core/base64.h"
#include "core/hex.h"
#include "core/message_json.h"
#include "mime/mime.h"
#include "mime_test_support.h"

namespace postern::mime {
namespace {

constexpr int kGenerated = 3000;
constexpr int kMutated = 6000;

using Rng = std::mt19937_64;

template <class Pool>
std::string_view pick(Rng& rng, const Pool& pool) {
  return pool[rng() % pool.size()];
}

// A JSON string literal of arbitrary bytes: quotes, backslashes and control
// characters escaped; other bytes (even invalid UTF-8) as they are.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00" + to_hex(std::string_view(&c, 1));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Each pool lists the values a caller may send first, then those intake
// must refuse; `usual` picks among the first most of the time, so that
// enough bodies pass to exercise the building.
template <std::size_t N>
struct Pool {
  std::array<std::string_view, N> values;
  std::size_t valid;  // how many of the first values are valid
};

template <std::size_t N>
std::string_view usual(Rng& rng, const Pool<N>& pool) {
  if (rng() % 12 == 0) return pick(rng, pool.values);
  return pool.values[rng() % pool.valid];
}

constexpr Pool<17> kAddresses = {
    {
        "a@example.com",
        "Ann <ann@example.org>",
        "\"Doe, Jane\" <jane@example.net>",
        "j\xC3\xB6rg@b\xC3\xBC"
        "cher.example",
        "<bare@example.com>",
        "\"quoted local\"@example.com",
        "x@[192.0.2.1]",
        "=?utf-8?B?w6k=?= <enc@example.com>",
        "\xE6\x97\xA5\xE6\x9C\xAC <jp@example.jp>",
        "a@b.example, c@d.example",
        "no-at-sign",
        "a@@example.com",
        "",
        "a@example.com\r\nBcc: evil@example.net",
        "Eve <eve@example.com>\nX-Injected: yes",
        "(comment) c@example.com",
        "toolongtoolongtoolongtoolongtoolongtoolongtoolongtoolongtoolongtoolong@example.com",
    },
    9};

constexpr Pool<12> kNames = {
    {"Ann", "Doe, Jane", "\xE6\x97\xA5\xE6\x9C\xAC", "=?utf-8?B?eA==?=", "a\"b", "back\\slash",
     "(comment)", "  spaced  ", "semi;colon", "<angle>", "", "x\ny"},
    11};

// One line each: subjects, header values, tags.
constexpr Pool<12> kLines = {
    {"Hello", "R\xC3\xA9union \xE6\x97\xA5\xE6\x9C\xAC", "=?utf-8?q?x?=", "tab\there", "   ",
     "\"quoted\" (and commented)", "<id@example.com> <id2@example.com>", "x=3D=;", "a\rb",
     "two\nlines", std::string_view("nul\0", 4), ""},
    9};

// Bodies: anything goes in text and html.
constexpr std::array<std::string_view, 12> kTexts = {
    "Hello",
    "R\xC3\xA9union \xE6\x97\xA5\xE6\x9C\xAC",
    "line\n.\nend",
    "\r\n.\r\n",
    "=?utf-8?q?x?=",
    "a\rb",
    "tab\there  \n",
    "From the start\nFrom x",
    "control\x01 and \x7f",
    "=3D= soft=\n",
    "--=_pst_boundary\n",
    std::string_view("nul\0", 4),
};

constexpr Pool<14> kHeaderNames = {
    {"X-Tag", "X-Campaign", "List-Unsubscribe", "References", "X-Priority", "In-Reply-To",
     "Received", "Content-Type", "Bcc", "X:Bad", "X Bad", "x-\xC3\xBC", "Subject", ""},
    7};

constexpr Pool<11> kContentTypes = {
    {"text/plain", "application/pdf", "multipart/mixed; boundary=x", "message/rfc822", "/",
     "text/plain; charset=\"utf-8\"", "a/b\tc", "image/png", "application/octet-stream",
     "text/html; name=\"a\r\nb\"", "plain"},
    9};

constexpr Pool<10> kFilenames = {
    {"a.txt", "r\xC3\xA9sum\xC3\xA9.pdf", "\"q\".txt", "a;b=c.txt", "dir/../x",
     "=?utf-8?B?eA==?=", "spaces in name .doc", "\xE6\x97\xA5.png", "", "x\ty"},
    8};

constexpr Pool<7> kContentIds = {{"i@x", "a b", "<x@y>", "\xC3\xBC@x", "a>b", "", "x\ny"}, 5};

// A value of the wrong kind, now and then.
std::string odd_value(Rng& rng) {
  static constexpr std::array<std::string_view, 6> kOdd = {"null", "17", "true",
                                                           "[]",   "{}", "-0.5e3"};
  return std::string(pick(rng, kOdd));
}

std::string random_text(Rng& rng, std::size_t max_pieces) {
  std::string s;
  std::size_t n = 1 + rng() % max_pieces;
  for (std::size_t i = 0; i < n; ++i) s += pick(rng, kTexts);
  if (rng() % 16 == 0) s += std::string(1200 + rng() % 2000, 'x');  // a line longer than 998
  return s;
}

std::string address_value(Rng& rng) {
  switch (rng() % 24) {
    case 0:
      return odd_value(rng);
    case 1:
    case 2:
    case 3:
    case 4:
    case 5: {
      std::string o = "{\"email\":" + quote(usual(rng, kAddresses));
      if (rng() % 2) o += ",\"name\":" + quote(usual(rng, kNames));
      if (rng() % 32 == 0) o += ",\"extra\":1";
      return o + "}";
    }
    default:
      return quote(usual(rng, kAddresses));
  }
}

std::string address_list(Rng& rng) {
  if (rng() % 4 == 0) return address_value(rng);
  std::string a = "[";
  std::size_t n = 1 + rng() % 3;
  for (std::size_t i = 0; i < n; ++i) a += (i ? "," : "") + address_value(rng);
  return a + "]";
}

std::string string_map(Rng& rng, bool header_names) {
  std::string o = "{";
  std::size_t n = rng() % 4;
  for (std::size_t i = 0; i < n; ++i) {
    std::string key =
        header_names ? std::string(usual(rng, kHeaderNames)) : "k" + std::to_string(rng() % 5);
    std::string value = rng() % 24 == 0 ? odd_value(rng) : quote(usual(rng, kLines));
    o += (i ? "," : "") + quote(key) + ":" + value;
  }
  return o + "}";
}

std::string attachment(Rng& rng) {
  if (rng() % 24 == 0) return odd_value(rng);
  std::vector<std::string> fields;
  if (rng() % 16) fields.push_back("\"filename\":" + quote(usual(rng, kFilenames)));
  if (rng() % 2) fields.push_back("\"content_type\":" + quote(usual(rng, kContentTypes)));
  if (rng() % 16) {
    std::string bytes;
    std::size_t n = rng() % 300;
    for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng()));
    static constexpr std::array<std::string_view, 3> kBadBase64 = {"!!", "QQ", "QQ=\n="};
    fields.push_back("\"content\":" + quote(rng() % 16 == 0 ? std::string(pick(rng, kBadBase64))
                                                            : base64_encode(bytes)));
  }
  if (rng() % 3 == 0) fields.push_back("\"content_id\":" + quote(usual(rng, kContentIds)));
  if (rng() % 3 == 0)
    fields.push_back(rng() % 12 ? "\"disposition\":\"inline\"" : "\"disposition\":\"aside\"");
  std::shuffle(fields.begin(), fields.end(), rng);
  std::string o = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) o += (i ? "," : "") + fields[i];
  return o + "}";
}

// A body as applications send them: mostly valid, with the odd bad field.
std::string random_body(Rng& rng) {
  std::vector<std::string> fields;
  if (rng() % 32) fields.push_back("\"from\":" + address_value(rng));
  if (rng() % 16) fields.push_back("\"to\":" + address_list(rng));
  if (rng() % 3 == 0) fields.push_back("\"cc\":" + address_list(rng));
  if (rng() % 4 == 0) fields.push_back("\"bcc\":" + address_list(rng));
  if (rng() % 4 == 0) fields.push_back("\"reply_to\":" + address_list(rng));
  if (rng() % 2) fields.push_back("\"subject\":" + quote(usual(rng, kLines)));
  if (rng() % 12) fields.push_back("\"text\":" + quote(random_text(rng, 6)));
  if (rng() % 3 == 0) fields.push_back("\"html\":" + quote("<p>" + random_text(rng, 6) + "</p>"));
  if (rng() % 3 == 0) fields.push_back("\"headers\":" + string_map(rng, true));
  if (rng() % 4 == 0) fields.push_back("\"metadata\":" + string_map(rng, false));
  if (rng() % 3 == 0) {
    std::string a = "[";
    std::size_t n = 1 + rng() % 3;
    for (std::size_t i = 0; i < n; ++i) a += (i ? "," : "") + attachment(rng);
    fields.push_back("\"attachments\":" + a + "]");
  }
  if (rng() % 4 == 0) fields.push_back("\"tags\":[" + quote(usual(rng, kLines)) + "]");
  if (rng() % 40 == 0) fields.push_back("\"tracking\":true");
  std::shuffle(fields.begin(), fields.end(), rng);
  std::string body = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) body += (i ? "," : "") + fields[i];
  return body + "}";
}

constexpr std::array<std::string_view, 16> kJsonTokens = {
    "\"",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\r\\n",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "null",
    "\xFF",
    "\xC3",
    "\"to\":\"x@example.com\",",
    "\"from\":{\"email\":\"a@example.com\"},"};

const std::set<std::string, std::less<>> kRefusalCodes = {
    "invalid_json",        "unknown_field",     "missing_field",  "invalid_address",
    "invalid_type",        "invalid_value",     "invalid_base64", "invalid_header",
    "too_many_recipients", "message_too_large", "too_many_tags"};

std::vector<std::string> addresses(const std::vector<Mailbox>& list) {
  std::vector<std::string> out;
  for (const auto& m : list) out.push_back(m.address);
  return out;
}

// The header fields a built message may have: those Postern writes, and the
// custom ones the message asked for.
bool expected_field(std::string_view name, const Message& m) {
  static constexpr std::array<std::string_view, 11> kWritten = {
      "from",        "to",         "cc",           "reply-to",     "subject",
      "date",        "message-id", "mime-version", "content-type", "content-transfer-encoding",
      "x-postern-id"};
  auto same = [&](std::string_view other) { return ascii_iequals(name, other); };
  return std::any_of(kWritten.begin(), kWritten.end(), same) ||
         std::any_of(m.headers.begin(), m.headers.end(),
                     [&](const auto& h) { return same(h.first); });
}

// What delivery does with an accepted body, checked.
void check_deliverable(const std::string& body, const Message& m) {
  const auto unlimited = MessageLimits::unlimited();
  auto again = message_from_json(body, unlimited);
  ASSERT_TRUE(again) << again.error().field << ": " << again.error().message;
  EXPECT_EQ(*again, m);
  auto canonical = message_from_json(message_to_json(m), unlimited);
  ASSERT_TRUE(canonical) << canonical.error().field << ": " << canonical.error().message;
  EXPECT_EQ(*canonical, m);

  BuildOptions options = test::sample_options();
  options.extra_headers = {{"X-Postern-Id", "0abc123"}};
  std::string built = build_message(m, options);
  EXPECT_TRUE(test::only_crlf(built));
  EXPECT_LE(test::longest_line(built), 998u);
  for (const auto& name : test::header_names(built)) EXPECT_TRUE(expected_field(name, m)) << name;

  auto summary = summarize(built);
  ASSERT_TRUE(summary) << summary.error().field << ": " << summary.error().message << "\n" << built;
  EXPECT_EQ(summary->from.address, m.from.address);
  EXPECT_EQ(addresses(summary->to), addresses(m.to));
  EXPECT_EQ(addresses(summary->cc), addresses(m.cc));
  EXPECT_TRUE(summary->bcc.empty());
  auto parsed = parse_message(built);
  ASSERT_TRUE(parsed) << built;
  EXPECT_EQ(parsed->from.address, m.from.address);
  EXPECT_EQ(parsed->attachments.size(), m.attachments.size());
}

// Returns true when the body was accepted.
bool check_body(const std::string& body) {
  auto r = message_from_json(body, MessageLimits{});
  if (!r) {
    const auto& e = r.error();
    EXPECT_TRUE(kRefusalCodes.contains(e.code)) << e.code;
    EXPECT_FALSE(e.message.empty());
    // An unknown key is its own field, and "" is a key JSON allows.
    if (e.code != "invalid_json" && e.code != "unknown_field") {
      EXPECT_FALSE(e.field.empty()) << e.code << ": " << e.message;
    }
    return false;
  }
  check_deliverable(body, *r);
  return true;
}

TEST(JsonIntakeRobustness, GeneratedBodiesAreRefusedClearlyOrDeliverable) {
  Rng rng(20261203);
  int accepted = 0;
  for (int i = 0; i < kGenerated; ++i) {
    std::string body = random_body(rng);
    SCOPED_TRACE("body " + std::to_string(i) + ": " + body.substr(0, 400));
    accepted += check_body(body) ? 1 : 0;
    if (testing::Test::HasFailure()) break;  // one body's story is enough to read
  }
  RecordProperty("accepted", accepted);
  // Enough of them must pass to exercise building, not only the refusals.
  EXPECT_GT(accepted, kGenerated / 10);
}

TEST(JsonIntakeRobustness, MutatedBodiesAreRefusedClearlyOrDeliverable) {
  Rng rng(7);
  std::vector<std::string> seeds;
  while (seeds.size() < 50) {
    std::string body = random_body(rng);
    if (message_from_json(body, MessageLimits{})) seeds.push_back(std::move(body));
  }
  int accepted = 0;
  for (int i = 0; i < kMutated; ++i) {
    std::string body =
        test::mutate(seeds[static_cast<std::size_t>(i) % seeds.size()], rng, kJsonTokens);
    SCOPED_TRACE("mutation " + std::to_string(i) + ": " + body.substr(0, 400));
    accepted += check_body(body) ? 1 : 0;
    if (testing::Test::HasFailure()) break;
  }
  RecordProperty("accepted", accepted);
  EXPECT_GT(accepted, kMutated / 40);
}

}  // namespace
}  // namespace postern::mime
