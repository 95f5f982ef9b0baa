#include "core/percent.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Percent, EncodesAllButTheUnreservedCharacters) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b/c?d=e&f+g%"), "a%20b%2Fc%3Fd%3De%26f%2Bg%25");
  EXPECT_EQ(percent_encode("\xc3\xa9"), "%C3%A9");  // é, upper-case digits
  EXPECT_EQ(percent_encode(std::string_view("\0", 1)), "%00");
}

TEST(Percent, EncodingAPathKeepsItsSlashes) {
  EXPECT_EQ(percent_encode_path("/v2/email/a b"), "/v2/email/a%20b");
  EXPECT_EQ(percent_encode_path("/x%2Fy"), "/x%252Fy");
}

TEST(Percent, DecodesEscapesAndKeepsPlus) {
  EXPECT_EQ(percent_decode("a%20b%2fc").value(), "a b/c");
  EXPECT_EQ(percent_decode("a+b").value(), "a+b");
  EXPECT_EQ(percent_decode("%C3%A9").value(), "\xc3\xa9");
  EXPECT_EQ(percent_decode("").value(), "");
}

TEST(Percent, RefusesMalformedEscapes) {
  for (const char* bad : {"100%", "%4", "%zz%41", "a%g1"}) {
    auto r = percent_decode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), Errc::invalid_argument) << bad;
  }
}

TEST(Percent, ParsesAQueryInOrderWithPlusAsSpace) {
  auto q = parse_query("from=a%40b.c&text=hello+world&flag&&empty=");
  ASSERT_TRUE(q);
  QueryPairs expected = {{"from", "a@b.c"}, {"text", "hello world"}, {"flag", ""}, {"empty", ""}};
  EXPECT_EQ(*q, expected);
  EXPECT_TRUE(parse_query("")->empty());
  EXPECT_EQ(parse_query("a%2Bb=c%26d")->front(),
            (std::pair<std::string, std::string>{"a+b", "c&d"}));
}

TEST(Percent, RefusesAMalformedQuery) {
  EXPECT_EQ(parse_query("a=%zz").error(), Errc::invalid_argument);
  EXPECT_EQ(parse_query("a=1%").error(), Errc::invalid_argument);
  EXPECT_EQ(parse_query("a=b#c").error(), Errc::invalid_argument);
}

}  // namespace
}  // namespace postern
