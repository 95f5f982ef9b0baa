// The POP3 command parser (src/pop3/parser/).
#include <gtest/gtest.h>

#include "pop3/parser/command.h"

namespace postern::pop3 {
namespace {

TEST(Pop3CommandParserTest, VerbsAreCaseInsensitive) {
  for (std::size_t i = 0; i < kVerbCount; ++i) {
    auto name = std::string(verb_name(static_cast<Verb>(i)));
    std::string lower;
    for (char c : name) lower += static_cast<char>(c | 0x20);
    std::string line = lower;
    if (name == "USER" || name == "PASS") line += " x";
    if (name == "RETR" || name == "DELE") line += " 1";
    if (name == "TOP") line += " 1 2";
    auto c = parse_command(line);
    ASSERT_TRUE(c) << line << ": " << c.error().text;
    EXPECT_EQ(c->verb, static_cast<Verb>(i));
  }
}

TEST(Pop3CommandParserTest, Arguments) {
  auto top = parse_command("TOP  12   0");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->message, 12u);
  EXPECT_EQ(top->lines, 0u);
  auto list = parse_command("LIST");
  ASSERT_TRUE(list);
  EXPECT_FALSE(list->message);
  EXPECT_EQ(parse_command("UIDL 3 ")->message, 3u);
  EXPECT_EQ(parse_command("USER alice@inbox.test")->argument, "alice@inbox.test");
  EXPECT_EQ(parse_command("PASS  a b ")->argument, " a b ");
  EXPECT_EQ(parse_command("RETR 000000000000000001")->message, 1u);
}

TEST(Pop3CommandParserTest, Refusals) {
  auto text = [](std::string_view line) {
    auto c = parse_command(line);
    return c ? std::string("parsed") : c.error().text;
  };
  EXPECT_EQ(text("RETR"), "RETR takes a message number");
  EXPECT_EQ(text("RETR -1"), "RETR needs a message number in decimal digits");
  EXPECT_EQ(text("RETR +1"), "RETR needs a message number in decimal digits");
  EXPECT_EQ(text("RETR 1x"), "RETR needs a message number in decimal digits");
  EXPECT_EQ(text("RETR 1234567890123456789"), "RETR needs a message number in decimal digits");
  EXPECT_EQ(text("TOP 1 x"), "TOP needs a line count in decimal digits");
  EXPECT_EQ(text("DELE 1 2"), "DELE takes a message number");
  EXPECT_EQ(text("LIST 1 2"), "LIST takes at most a message number");
  EXPECT_EQ(text("USER a b"), "USER takes one argument: the user name");
  EXPECT_EQ(text("PASS"), "PASS takes the password as its argument");
  EXPECT_EQ(text("STAT 1"), "STAT takes no argument");
  EXPECT_EQ(text("HELO x"), "unknown command HELO");
  EXPECT_EQ(text("\x01\xff"), "unknown command ??");
  EXPECT_EQ(text(" STAT"), "empty command");
  EXPECT_EQ(text("STAT\rX"), "invalid character in command");
  EXPECT_EQ(parse_command("RETR x").error().verb, Verb::retr);
  EXPECT_FALSE(parse_command("XYZZY").error().verb);
}

}  // namespace
}  // namespace postern::pop3
