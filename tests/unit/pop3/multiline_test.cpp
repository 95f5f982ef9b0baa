// What TOP sends of a message (src/pop3/multiline.h).
#include "pop3/multiline.h"

#include <gtest/gtest.h>

namespace postern::pop3 {
namespace {

TEST(Pop3TopTest, TheHeaderTheBlankLineAndNBodyLines) {
  std::string_view m = "A: 1\r\nB: 2\r\n\r\none\r\n\r\nthree\r\n";
  EXPECT_EQ(top_of(m, 0), "A: 1\r\nB: 2\r\n\r\n");
  EXPECT_EQ(top_of(m, 1), "A: 1\r\nB: 2\r\n\r\none\r\n");
  EXPECT_EQ(top_of(m, 2), "A: 1\r\nB: 2\r\n\r\none\r\n\r\n");
  EXPECT_EQ(top_of(m, 3), m);
  EXPECT_EQ(top_of(m, 1000), m);
}

TEST(Pop3TopTest, BareLineEndsCountAsLines) {
  EXPECT_EQ(top_of("A: 1\n\nx\ny\n", 1), "A: 1\n\nx\n");
  EXPECT_EQ(top_of("A: 1\r\rx\ry", 1), "A: 1\r\rx\r");
  EXPECT_EQ(top_of("A: 1\r\n\r\nno end", 5), "A: 1\r\n\r\nno end");
}

TEST(Pop3TopTest, AMessageWithoutBodyIsAllHeader) {
  EXPECT_EQ(top_of("A: 1\r\nB: 2\r\n", 0), "A: 1\r\nB: 2\r\n");
  EXPECT_EQ(top_of("A: 1", 0), "A: 1");
  EXPECT_EQ(top_of("", 0), "");
}

}  // namespace
}  // namespace postern::pop3
