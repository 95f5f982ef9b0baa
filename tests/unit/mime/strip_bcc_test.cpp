// strip_bcc: Bcc fields go, every other byte stays.
#include <gtest/gtest.h>

#include "mime/mime.h"

namespace postern::mime {
namespace {

using namespace std::string_literals;

TEST(StripBcc, RemovesASimpleBccField) {
  EXPECT_EQ(
      strip_bcc(
          "From: a@example.com\r\nBcc: hidden@example.net\r\nTo: b@example.org\r\n\r\nbody\r\n"),
      "From: a@example.com\r\nTo: b@example.org\r\n\r\nbody\r\n");
}

TEST(StripBcc, RemovesFoldedContinuationLines) {
  EXPECT_EQ(strip_bcc("From: a@example.com\r\n"
                      "Bcc: one@example.net,\r\n"
                      "\ttwo@example.net,\r\n"
                      "   three@example.net\r\n"
                      "Subject: s\r\n"
                      "\r\n"
                      "body"),
            "From: a@example.com\r\nSubject: s\r\n\r\nbody");
}

TEST(StripBcc, MatchesTheNameInAnyCaseAndWithSpaceBeforeTheColon) {
  EXPECT_EQ(strip_bcc("BCC: x@example.net\r\nbcc: y@example.net\r\nbCc : z@example.net\r\n"
                      "From: a@example.com\r\n\r\nb"),
            "From: a@example.com\r\n\r\nb");
}

TEST(StripBcc, LeavesLookalikeFieldsAndTheBodyAlone) {
  std::string raw =
      "X-Bcc: keep@example.net\r\n"
      "Bcc-Note: keep\r\n"
      "Resent-Bcc: keep@example.net\r\n"
      "From: a@example.com\r\n"
      "\r\n"
      "Bcc: this is body text\r\n";
  EXPECT_EQ(strip_bcc(raw), raw);
}

TEST(StripBcc, HandlesBareLfAndABccFieldLastBeforeTheBody) {
  EXPECT_EQ(strip_bcc("From: a@example.com\nBcc: x@example.net\n y@example.net\n\nbody\n"),
            "From: a@example.com\n\nbody\n");
}

TEST(StripBcc, HandlesAHeaderOnlyMessageEndingInBcc) {
  EXPECT_EQ(strip_bcc("From: a@example.com\r\nBcc: x@example.net"), "From: a@example.com\r\n");
}

TEST(StripBcc, KeepsEveryByteOfAMessageWithoutBcc) {
  std::string raw =
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1;\r\n"
      "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; h=From:To;\r\n"
      "From: a@example.com\r\n"
      "To: b@example.org\r\n"
      "\r\n"
      "body with trailing spaces   \r\n"
      "\xFF\xFE binary\x00 bytes\r\n"s;
  EXPECT_EQ(strip_bcc(raw), raw);
}

TEST(StripBcc, RemovesEveryBccFieldEvenAfterAMalformedLine) {
  EXPECT_EQ(strip_bcc("From: a@example.com\r\njunk line\r\nBcc: x@example.net\r\n\r\nbody"),
            "From: a@example.com\r\njunk line\r\n\r\nbody");
}

TEST(StripBcc, ResultHasNoBccRecipients) {
  std::string raw =
      strip_bcc("From: a@example.com\r\nBcc: x@example.net\r\nTo: b@example.org\r\n\r\n");
  auto summary = summarize(raw);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_TRUE(summary->bcc.empty());
  EXPECT_EQ(summary->to.size(), 1u);
}

}  // namespace
// In place, with a field in front, as intake does with a big message: the
// same bytes as strip_bcc behind the field, whatever the Bcc fields' places.
TEST(StripBccAndPrepend, GivesStripBccBehindTheHeader) {
  for (std::string raw : {
           std::string(
               "From: a@example.com\r\nBcc: h@example.net\r\nTo: b@example.org\r\n\r\nbody\r\n"),
           std::string("Bcc: one@example.net,\r\n\ttwo@example.net\r\nFrom: a\r\nbcc: x\r\n\r\nb"),
           std::string("From: a@example.com\r\n\r\nBcc: in the body\r\n"),
           std::string("no header at all"),
           std::string(""),
       }) {
    for (std::string header : {std::string("Received: from x\r\n"), std::string()}) {
      std::string in_place = raw;
      strip_bcc_and_prepend(in_place, header);
      EXPECT_EQ(in_place, header + strip_bcc(raw)) << raw;
    }
  }
}

TEST(StripBccAndPrepend, KeepsABigBodyInItsBuffer) {
  std::string raw = "From: a\r\nBcc: b\r\n\r\n" + std::string(1 << 20, 'x');
  raw.reserve(raw.size() + 64);
  const char* buffer = raw.data();
  strip_bcc_and_prepend(raw, "Received: r\r\n");
  EXPECT_EQ(raw.data(), buffer);
  EXPECT_EQ(raw.substr(0, 24), "Received: r\r\nFrom: a\r\n\r\n");
}

TEST(AppendWithoutBcc, AppendsBehindWhatIsThere) {
  std::string out = "X-Id: 1\r\n";
  append_without_bcc(out, "Bcc: h\r\nFrom: a\r\n\r\nb");
  EXPECT_EQ(out, "X-Id: 1\r\nFrom: a\r\n\r\nb");
}

}  // namespace postern::mime
