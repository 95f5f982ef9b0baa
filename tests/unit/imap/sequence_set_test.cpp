// Sequence sets: parsing, and '*' resolved against the largest number.
#include "imap/parser/sequence_set.h"

#include <gtest/gtest.h>

namespace postern::imap {
namespace {

using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

TEST(ImapSequenceSetTest, Parses) {
  EXPECT_EQ(parse_sequence_set("1")->ranges, (std::vector<SeqRange>{{1, 1}}));
  EXPECT_EQ(
      parse_sequence_set("3:1,*,5:*,4294967295")->ranges,
      (std::vector<SeqRange>{{3, 1}, {kStar, kStar}, {5, kStar}, {4294967295u, 4294967295u}}));
  for (auto bad : {"", "0", "1:0", ",1", "1,", "1::2", "a", "1:2:3", "4294967296", "-1", "$"}) {
    EXPECT_FALSE(parse_sequence_set(bad)) << bad;
  }
}

TEST(ImapSequenceSetTest, ResolvesStarAndOrdersRanges) {
  EXPECT_EQ(parse_sequence_set("3:1")->resolve(10), (Ranges{{1, 3}}));
  EXPECT_EQ(parse_sequence_set("*:4")->resolve(10), (Ranges{{4, 10}}));
  EXPECT_EQ(parse_sequence_set("4:*")->resolve(10), (Ranges{{4, 10}}));
  // RFC 3501 §6.4.8: "UID FETCH 100:*" with highest UID 50 still names 50.
  EXPECT_EQ(parse_sequence_set("100:*")->resolve(50), (Ranges{{50, 100}}));
  EXPECT_EQ(parse_sequence_set("7,1:3,4,9:8,*")->resolve(20), (Ranges{{1, 4}, {7, 9}, {20, 20}}));
  EXPECT_EQ(parse_sequence_set("4294967295,1:4294967295")->resolve(5), (Ranges{{1, 4294967295u}}));
}

TEST(ImapSequenceSetTest, Contains) {
  auto set = *parse_sequence_set("2,5:*");
  EXPECT_FALSE(set.contains(1, 9));
  EXPECT_TRUE(set.contains(2, 9));
  EXPECT_FALSE(set.contains(3, 9));
  EXPECT_TRUE(set.contains(9, 9));
  EXPECT_TRUE(set.contains(4, 4));  // 5:* is 4:5 when 4 is the largest
}

}  // namespace
}  // namespace postern::imap
