// summarize: intake's reading of raw headers, on good and hostile input.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "mime/mime.h"

namespace postern::mime {
namespace {

constexpr std::string_view kGood =
    "Received: from client.example (client.example [192.0.2.1])\r\n"
    "\tby mx.example with ESMTP; Tue, 1 Jul 2025 09:05:03 +0000\r\n"
    "From: \"Doe, Jane\" <jane@example.com>\r\n"
    "To: Bob <bob@example.org>, carol@example.org (Carol C.)\r\n"
    "Cc: undisclosed-recipients:;\r\n"
    "Bcc: team: dave@example.net, \"Eve\" <eve@example.net>;\r\n"
    "Subject: =?utf-8?B?w6k=?= =?utf-8?B?IGE=?= and =?ISO-8859-1?Q?caf=E9?=\r\n"
    "Message-ID: <abc.123@mail.example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hello\r\n";

void expect_error(std::string_view raw, std::string_view code, std::string_view field) {
  auto r = summarize(raw);
  ASSERT_FALSE(r) << "accepted: " << raw.substr(0, 200);
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_EQ(r.error().field, field) << r.error().message;
  EXPECT_FALSE(r.error().message.empty());
}

TEST(Summarize, ReadsSenderRecipientsSubjectAndId) {
  auto r = summarize(kGood);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->from, (Mailbox{"Doe, Jane", "jane@example.com"}));
  EXPECT_EQ(r->to,
            (std::vector<Mailbox>{{"Bob", "bob@example.org"}, {"Carol C.", "carol@example.org"}}));
  EXPECT_TRUE(r->cc.empty());
  EXPECT_EQ(r->bcc, (std::vector<Mailbox>{{"", "dave@example.net"}, {"Eve", "eve@example.net"}}));
  // Two padded B words in a row: GMime 3.2's own decoder drops " a" here.
  EXPECT_EQ(r->subject, "\xC3\xA9 a and caf\xC3\xA9");
  EXPECT_EQ(r->message_id, "abc.123@mail.example.com");
}

TEST(Summarize, AcceptsBareLfLineEndsFoldedFieldsAndEncodedNames) {
  auto r = summarize(
      "from: =?utf-8?Q?Jos=C3=A9?= <jose@example.com>\n"
      "TO: a@example.org,\n"
      "  b@example.org,\n"
      "\tc@example.org\n"
      "subject: multi\n line\n"
      "\n"
      "body\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->from, (Mailbox{"Jos\xC3\xA9", "jose@example.com"}));
  ASSERT_EQ(r->to.size(), 3u);
  EXPECT_EQ(r->to[2].address, "c@example.org");
  EXPECT_EQ(r->subject, "multi line");
  EXPECT_EQ(r->message_id, "");
}

TEST(Summarize, AcceptsAMessageThatIsOnlyAHeader) {
  auto r = summarize("From: a@example.com\r\nTo: b@example.org\r\nSubject: no body");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->subject, "no body");
}

TEST(Summarize, AcceptsUtf8HeadersAndAddresses) {
  auto r = summarize(
      "From: J\xC3\xBCrgen <j\xC3\xBCrgen@b\xC3\xBC"
      "cher.example>\r\n"
      "Subject: Gr\xC3\xBC\xC3\x9F"
      "e\r\n\r\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->from.name, "J\xC3\xBCrgen");
  EXPECT_EQ(r->from.address,
            "j\xC3\xBCrgen@b\xC3\xBC"
            "cher.example");
  EXPECT_EQ(r->subject,
            "Gr\xC3\xBC\xC3\x9F"
            "e");
}

TEST(Summarize, RawLatin1SubjectIsConvertedToUtf8) {
  auto r = summarize("From: a@example.com\r\nSubject: caf\xE9\r\n\r\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->subject, "caf\xC3\xA9");
}

TEST(Summarize, DecodedSubjectCannotCarryLineBreaks) {
  auto r = summarize("From: a@example.com\r\nSubject: =?utf-8?Q?a=0D=0ABcc:_x@y.z?=\r\n\r\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->subject, "a  Bcc: x@y.z");
}

TEST(Summarize, MissingFromIsReported) {
  expect_error("To: b@example.org\r\nSubject: x\r\n\r\nbody", "missing_header", "From");
  expect_error("", "missing_header", "From");
}

TEST(Summarize, FromMustBeExactlyOneValidMailbox) {
  expect_error("From: a@example.com, b@example.com\r\n\r\n", "invalid_address", "From");
  expect_error("From: group: a@example.com;\r\n\r\n", "invalid_address", "From");
  expect_error("From: undisclosed:;\r\n\r\n", "invalid_address", "From");
  expect_error("From: \r\n\r\n", "invalid_address", "From");
  expect_error("From: Jane Doe\r\n\r\n", "invalid_address", "From");
  expect_error("From: <jane@>\r\n\r\n", "invalid_address", "From");
  expect_error("From: a@example.com\r\nFrom: b@example.com\r\n\r\n", "invalid_message", "From");
}

TEST(Summarize, BadRecipientAddressesNameTheirField) {
  const std::string from = "From: a@example.com\r\n";
  expect_error(from + "To: bob@\r\n\r\n", "invalid_address", "To");
  expect_error(from + "To: a@b.c\"om\r\n\r\n", "invalid_address",
               "To");  // GMime would keep "a@b.c"
  expect_error(from + "To: ok@example.org, @@@\r\n\r\n", "invalid_address", "To");
  expect_error(from + "To: x@example.org y@example.org\r\n\r\n", "invalid_address", "To");
  expect_error(from + "Cc: Jane <jane@example.org\r\n\r\n", "invalid_address", "Cc");
  expect_error(from + "Cc: \"unterminated <x@example.org>\r\n\r\n", "invalid_address", "Cc");
  expect_error(from + "Bcc: (comment never closed x@example.org\r\n\r\n", "invalid_address", "Bcc");
  expect_error(from + "Bcc: a..b@example.org\r\n\r\n", "invalid_address", "Bcc");
  expect_error(from + "Reply-To: nobody\r\n\r\n", "invalid_address", "Reply-To");
}

TEST(Summarize, MalformedHeadersAreInvalidMessages) {
  expect_error("this is not a header\r\n\r\n", "invalid_message", "");
  expect_error("From: a@example.com\r\nno colon here\r\nTo: b@example.org\r\n\r\n",
               "invalid_message", "");
  expect_error(" From: a@example.com\r\n\r\n", "invalid_message", "");
  expect_error(std::string("From: a@exa\0mple.com\r\n\r\n", 25), "invalid_message", "");
  expect_error("From a@example.com Tue Jul  1 09:05:03 2025\r\nFrom: a@example.com\r\n\r\n",
               "invalid_message", "");
}

TEST(Summarize, RandomBinaryNoiseIsRefusedNotCrashedOn) {
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string noise(static_cast<std::size_t>(rng() % 4096), '\0');
    for (char& c : noise) c = static_cast<char>(rng());
    auto r = summarize(noise);
    if (r) {
      EXPECT_FALSE(r->from.address.empty());  // only possible if the noise spelled a header
    } else {
      EXPECT_FALSE(r.error().code.empty());
    }
  }
}

TEST(Summarize, OneMegabyteHeaderLineIsRefusedQuickly) {
  std::string raw = "From: a@example.com\r\nX-Big: " + std::string(1 << 20, 'x') + "\r\n\r\nbody";
  auto start = std::chrono::steady_clock::now();
  auto r = summarize(raw);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "invalid_message");
  EXPECT_NE(r.error().message.find("998"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(Summarize, HugeFoldedRecipientListIsLinear) {
  std::string raw = "From: a@example.com\r\nTo: first@example.org";
  for (int i = 0; i < 20000; ++i) raw += ",\r\n r" + std::to_string(i) + "@example.org";
  raw += "\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  auto r = summarize(raw);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->to.size(), 20001u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Summarize, DeeplyNestedCommentsAndMultipartsAreHarmless) {
  std::string nested = "From: a@example.com (" + std::string(400, '(') + std::string(401, ')') +
                       "\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
  for (int i = 1; i < 3000; ++i) {
    nested += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" +
              std::to_string(i) + "\r\n\r\n";
  }
  auto deep = summarize(nested);
  ASSERT_TRUE(deep) << deep.error().message;
  EXPECT_EQ(deep->from.address, "a@example.com");
}

TEST(Summarize, MessageIdWithoutBracketsOrWithCommentsIsRead) {
  auto r = summarize("From: a@example.com\r\nMessage-ID:\r\n  (c) <x@y.example> \r\n\r\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->message_id, "x@y.example");
  r = summarize("From: a@example.com\r\nMessage-Id: bare@id.example\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message_id, "bare@id.example");
}

}  // namespace
}  // namespace postern::mime
