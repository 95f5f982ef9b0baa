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
}  // namespace postern::mime
