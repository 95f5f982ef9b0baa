// detail::encode_words / decode_text / needs_encoding (RFC 2047).
#include "mime/detail/rfc2047.h"

#include <gtest/gtest.h>

#include "core/utf8.h"
#include "mime/detail/charset.h"
#include "mime_test_support.h"

namespace postern::mime::detail {
namespace {

TEST(EncodeWords, UsesQWithOnlyPhraseSafeCharactersLiteral) {
  EXPECT_EQ(encode_words("Caf\xC3\xA9"), "=?utf-8?Q?Caf=C3=A9?=");
  EXPECT_EQ(encode_words("a_b=c?d \"e\", (f)"), "=?utf-8?Q?a=5Fb=3Dc=3Fd_=22e=22=2C_=28f=29?=");
  EXPECT_EQ(encode_words(""), "");
}

TEST(EncodeWords, SplitsIntoWordsOfWholeCharactersWithin75) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "\xE6\x97\xA5";  // 日
  std::string encoded = encode_words(text, 30);
  std::size_t start = 0;
  bool first = true;
  while (start < encoded.size()) {
    std::size_t end = encoded.find(' ', start);
    if (end == std::string::npos) end = encoded.size();
    std::string word = encoded.substr(start, end - start);
    EXPECT_LE(word.size(), first ? 30u : 75u) << word;
    // Each word on its own decodes to whole characters (RFC 2047 §5 rule 3).
    EXPECT_TRUE(is_valid_utf8(test::gmime_decode_text(word))) << word;
    first = false;
    start = end + 1;
  }
  EXPECT_EQ(decode_text(encoded), text);
  EXPECT_EQ(test::gmime_decode_text(encoded), text);
}

TEST(EncodeWords, ATinyFirstLimitStillFitsOneCharacter) {
  EXPECT_EQ(decode_text(encode_words("\xF0\x9F\x98\x80 ok", 1)), "\xF0\x9F\x98\x80 ok");
}

TEST(NeedsEncoding, OnlyForWhatCannotBeWrittenAsIs) {
  EXPECT_FALSE(needs_encoding("Plain subject, with: punctuation!", 900));
  EXPECT_FALSE(needs_encoding("tab\tis fine", 900));
  EXPECT_TRUE(needs_encoding("caf\xC3\xA9", 900));
  EXPECT_TRUE(needs_encoding("line\r\nbreak", 900));
  EXPECT_TRUE(needs_encoding("looks =?encoded?= but is not", 900));
  EXPECT_TRUE(needs_encoding(std::string(901, 'x'), 900));
  EXPECT_FALSE(needs_encoding(std::string(900, 'x') + " " + std::string(900, 'y'), 900));
}

TEST(DecodeText, DecodesBAndQInAnyCaseAndCharset) {
  EXPECT_EQ(decode_text("=?UTF-8?b?w6k=?="), "\xC3\xA9");
  EXPECT_EQ(decode_text("=?iso-8859-1?q?caf=E9_cr=E8me?="), "caf\xC3\xA9 cr\xC3\xA8me");
  EXPECT_EQ(decode_text("=?windows-1252?Q?=80?="), "\xE2\x82\xAC");
  EXPECT_EQ(decode_text("=?utf-8*fr?Q?=C3=A9t=C3=A9?="), "\xC3\xA9t\xC3\xA9");  // RFC 2231 language
}

TEST(DecodeText, DropsWhitespaceOnlyBetweenAdjacentEncodedWords) {
  EXPECT_EQ(decode_text("=?utf-8?B?w6k=?= =?utf-8?B?IGE=?="), "\xC3\xA9 a");
  EXPECT_EQ(decode_text("=?utf-8?Q?a?= \t =?utf-8?Q?b?="), "ab");
  EXPECT_EQ(decode_text("x =?utf-8?Q?a?= y  =?utf-8?Q?b?=  z"), "x a y  b  z");
  EXPECT_EQ(decode_text("=?utf-8?Q?a?==?utf-8?Q?b?="), "ab");  // no space at all
}

TEST(DecodeText, JoinsCharactersSplitAcrossWords) {
  // Broken mailers split "é" (C3 A9) between two words.
  EXPECT_EQ(decode_text("=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?="), "caf\xC3\xA9");
}

TEST(DecodeText, LeavesMalformedWordsLiteral) {
  EXPECT_EQ(decode_text("=?utf-8?X?abc?="), "=?utf-8?X?abc?=");
  EXPECT_EQ(decode_text("=?utf-8?Q?abc"), "=?utf-8?Q?abc");
  EXPECT_EQ(decode_text("pre=?utf-8?Q?abc?="), "pre=?utf-8?Q?abc?=");
  EXPECT_EQ(decode_text("=?"
                        "?Q?abc?="),
            "=?"
            "?Q?abc?=");  // split: no trigraph
  EXPECT_EQ(decode_text("=?utf-8?Q?"
                        "?="),
            "");
}

TEST(DecodeText, RawEightBitIsUtf8OrGuessed) {
  EXPECT_EQ(decode_text("\xC3\xA9t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(decode_text("caf\xE9"), "caf\xC3\xA9");
  EXPECT_EQ(decode_text("=?x-unknown?Q?caf=E9?="), "caf\xC3\xA9");
}

TEST(DecodeText, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(decode_text("=?utf-8?Q?a=0D=0Ab=00c=7F?="), "a  b c ");
  EXPECT_EQ(decode_text("keep\ttab"), "keep\ttab");
}

TEST(DecodeText, RoundTripsWhatEncodeWordsWrites) {
  for (std::string text : {std::string("  leading and trailing  "), std::string("a  b"),
                           std::string("=?utf-8?Q?x?="), std::string("\xE2\x98\x95 \xC3\xA9_=?")}) {
    EXPECT_EQ(decode_text(encode_words(text)), text);
  }
}

}  // namespace
}  // namespace postern::mime::detail
