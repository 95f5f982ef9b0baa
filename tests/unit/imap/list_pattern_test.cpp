#include "imap/session/list_pattern.h"

#include <gtest/gtest.h>

namespace postern::imap {
namespace {

TEST(ListPattern, StarCrossesLevelsPercentDoesNot) {
  EXPECT_TRUE(list_matches("*", "a/b/c"));
  EXPECT_TRUE(list_matches("%", "a"));
  EXPECT_FALSE(list_matches("%", "a/b"));
  EXPECT_TRUE(list_matches("a/%", "a/b"));
  EXPECT_FALSE(list_matches("a/%", "a/b/c"));
  EXPECT_TRUE(list_matches("*/%", "a/b/c"));  // '*' must take "a/b", not "a"
  EXPECT_TRUE(list_matches("%/*", "a/b/c"));
  EXPECT_FALSE(list_matches("%/%", "a"));
  EXPECT_TRUE(list_matches("W%k", "Work"));
  EXPECT_FALSE(list_matches("work", "Work"));
  EXPECT_TRUE(list_matches("", ""));
}

TEST(ListPattern, ReadsInboxInAnyCase) {
  EXPECT_TRUE(list_matches("inbox", "INBOX"));
  EXPECT_TRUE(list_matches("Inbox/%", "INBOX/Sub"));
  EXPECT_TRUE(list_matches("in%", "INBOX"));
}

TEST(ListPattern, JoinsReferenceAndPattern) {
  EXPECT_EQ(list_pattern("", "*"), "*");
  EXPECT_EQ(list_pattern("Work", "%"), "Work/%");
  EXPECT_EQ(list_pattern("Work/", "%"), "Work/%");
  EXPECT_EQ(list_pattern("Work", "/x"), "Work/x");
}

TEST(ListPattern, ManyWildcardsStayFast) {
  std::string pattern(2000, '%');
  std::string name(1000, 'a');
  EXPECT_TRUE(list_matches(pattern, name));
  EXPECT_FALSE(list_matches(pattern + "b", name));
}

}  // namespace
}  // namespace postern::imap
