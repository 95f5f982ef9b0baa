#include "http/accept_encoding.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "http/conditional_get.h"
#include "support/mutator.h"

namespace postern::http {
namespace {

constexpr std::array<std::string_view, 2> kAvailable{"br", "gzip"};

std::string_view choose(std::optional<std::string_view> value) {
  return choose_content_coding(value, kAvailable);
}

TEST(AcceptEncoding, ElementsAndWeightsAreParsed) {
  EXPECT_EQ(
      parse_accept_encoding("gzip, deflate, br;q=0.8, *;q=0.001"),
      (std::vector<AcceptedCoding>{{"gzip", 1000}, {"deflate", 1000}, {"br", 800}, {"*", 1}}));
  EXPECT_EQ(parse_accept_encoding(" GZip ;Q=0.5 ,X-Gzip;q=1.000,identity ; q=0"),
            (std::vector<AcceptedCoding>{{"gzip", 500}, {"gzip", 1000}, {"identity", 0}}));
  EXPECT_EQ(parse_accept_encoding("br;q=0.25"), (std::vector<AcceptedCoding>{{"br", 250}}));
}

TEST(AcceptEncoding, ElementsThatDoNotParseAreLeftOut) {
  // q past 1, four decimals, not a number, another parameter, a bad token,
  // q given twice, spaces around '='.
  EXPECT_EQ(parse_accept_encoding("br;q=1.5, br;q=0.0001, br;q=x, br;level=1, b r, "
                                  "br;q=0.5;q=0.6, br;q = 0.5, \"br\", gzip;q=1."),
            (std::vector<AcceptedCoding>{{"gzip", 1000}}));
  EXPECT_TRUE(parse_accept_encoding("").empty());
  EXPECT_TRUE(parse_accept_encoding(",,; ,").empty());
}

TEST(AcceptEncoding, TheBestAcceptableCodingIsChosen) {
  EXPECT_EQ(choose("gzip, deflate, br, zstd"), "br");  // a tie goes to the server's order
  EXPECT_EQ(choose("gzip, deflate"), "gzip");
  EXPECT_EQ(choose("br;q=0.4, gzip;q=0.6"), "gzip");
  EXPECT_EQ(choose("x-gzip"), "gzip");
  EXPECT_EQ(choose("*"), "br");
  EXPECT_EQ(choose("*;q=0.5, br;q=0"), "gzip");
  EXPECT_EQ(choose("gzip;q=0.001"), "gzip");  // identity, unnamed, weighs less
}

TEST(AcceptEncoding, NoCodingWhenNoneIsAcceptable) {
  EXPECT_EQ(choose(std::nullopt), "");  // no header: anything goes, the plain form is safest
  EXPECT_EQ(choose(""), "");            // an empty value asks for no coding
  EXPECT_EQ(choose("  "), "");
  EXPECT_EQ(choose("deflate, zstd"), "");
  EXPECT_EQ(choose("identity"), "");
  EXPECT_EQ(choose("gzip;q=0, br;q=0"), "");
  EXPECT_EQ(choose("*;q=0"), "");
  EXPECT_EQ(choose("gzipped, brotli"), "");  // no substring matching
  EXPECT_EQ(choose("gzip;q=2"), "");         // a bad element is not sent
}

TEST(AcceptEncoding, IdentityCanWeighMore) {
  EXPECT_EQ(choose("gzip;q=0.5, identity"), "");
  EXPECT_EQ(choose("gzip;q=0.5, *;q=0.8, br;q=0"), "");  // identity weighs what * does
  EXPECT_EQ(choose("gzip, identity;q=0.5"), "gzip");
  EXPECT_EQ(choose("gzip, identity"), "gzip");  // a tie goes to the coding
  // Refusing identity and every coding still gets the file as built.
  EXPECT_EQ(choose("identity;q=0, deflate"), "");
  EXPECT_EQ(choose("identity;q=0, gzip"), "gzip");
}

TEST(ConditionalGet, IfNoneMatchComparesWeakly) {
  EXPECT_TRUE(etag_list_matches("\"a1\"", "\"a1\""));
  EXPECT_TRUE(etag_list_matches("W/\"a1\"", "\"a1\""));
  EXPECT_TRUE(etag_list_matches("\"x\", \"y,z\" ,\t\"a1\"", "\"a1\""));
  EXPECT_TRUE(etag_list_matches(" * ", "\"a1\""));
  EXPECT_FALSE(etag_list_matches("\"a\"", "\"a1\""));
  EXPECT_FALSE(etag_list_matches("a1", "\"a1\""));                  // not an entity tag
  EXPECT_FALSE(etag_list_matches("\"x\" junk, \"a1\"", "\"a1\""));  // parsed up to the junk
  EXPECT_FALSE(etag_list_matches("", "\"a1\""));
  EXPECT_FALSE(etag_list_matches("\"a1", "\"a1\""));
}

TEST(ConditionalGet, IfModifiedSinceOnlyWithoutIfNoneMatch) {
  auto t = SystemTime{} + std::chrono::seconds(1'700'000'000) + std::chrono::milliseconds(400);
  auto same = "Tue, 14 Nov 2023 22:13:20 GMT";
  EXPECT_TRUE(not_modified(std::nullopt, same, "\"e\"", t));
  EXPECT_TRUE(not_modified(std::nullopt, "Wed, 15 Nov 2023 00:00:00 GMT", "\"e\"", t));
  EXPECT_FALSE(not_modified(std::nullopt, "Tue, 14 Nov 2023 22:13:19 GMT", "\"e\"", t));
  EXPECT_FALSE(not_modified(std::nullopt, "yesterday", "\"e\"", t));
  EXPECT_FALSE(not_modified("\"other\"", same, "\"e\"", t));
  EXPECT_TRUE(not_modified("\"e\"", std::nullopt, "\"e\"", t));
  EXPECT_FALSE(not_modified(std::nullopt, std::nullopt, "\"e\"", t));
}

// Random and mutated headers: the parsers never crash and their answers
// keep their promises (a chosen coding is one offered; weights in range).
TEST(AcceptEncoding, RandomHeadersAreHandled) {
  std::mt19937 rng(29);
  const std::vector<std::string> seeds{"gzip, deflate, br;q=0.8, *;q=0.001",
                                       "identity;q=0, x-gzip;q=1.000", "W/\"a\", \"b,c\", *"};
  test::Mutator mutator(rng, "gzipbrdeflatqy*0123456789.;=, \t\"W/-", seeds);
  for (int i = 0; i < 20000; ++i) {
    auto value = i % 2 ? mutator.mutate(seeds[rng() % seeds.size()]) : mutator.bytes(60);
    for (const auto& a : parse_accept_encoding(value)) {
      EXPECT_GE(a.weight, 0);
      EXPECT_LE(a.weight, 1000);
      EXPECT_FALSE(a.coding.empty());
    }
    auto chosen = choose(value);
    EXPECT_TRUE(chosen.empty() || chosen == "br" || chosen == "gzip") << value;
    etag_list_matches(value, "\"a\"");
    not_modified(std::nullopt, value, "\"a\"", SystemTime{});
  }
}

}  // namespace
}  // namespace postern::http
