// CommandReader: commands across lines and literals, the limits, and the
// resynchronisation after each refusal.
#include "imap/parser/command_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "reader_support.h"

namespace postern::imap {
namespace {

using Events = std::vector<std::string>;

ReaderLimits small_limits() {
  return {.max_line = 64, .max_literal = 16, .max_append_literal = 100, .max_command = 128};
}

Events read_whole(std::string_view input, ReaderLimits limits = small_limits()) {
  CommandReader reader(limits);
  return test::read_all(reader, input, [&] { return input.size(); });
}

struct Case {
  std::string_view name;
  std::string_view input;
  Events events;
};

const Case kCases[] = {
    {"one line", "a NOOP\r\n", {"C a NOOP"}},
    {"two commands in one read", "a NOOP\r\nb LOGOUT\r\n", {"C a NOOP", "C b LOGOUT"}},
    {"empty line", "\r\n", {"C "}},
    {"bare LF ends a line", "a NOOP\nb NOOP\r\n", {"C a NOOP", "C b NOOP"}},
    {"synchronising literal",
     "a LOGIN {3}\r\njoe {4}\r\npass\r\n",
     {"+", "+", "C a LOGIN {3}\r\njoe {4}\r\npass"}},
    {"non-synchronising literal", "a LOGIN {3+}\r\njoe x\r\n", {"C a LOGIN {3+}\r\njoe x"}},
    {"literal holding CRLF and braces",
     "a LOGIN {7+}\r\n{1}\r\n\r\n} x\r\n",
     {"C a LOGIN {7+}\r\n{1}\r\n\r\n} x"}},
    {"bare LF before a literal reads as CRLF",
     "a LOGIN {3+}\njoe x\r\n",
     {"C a LOGIN {3+}\r\njoe x"}},
    {"empty literal", "a LOGIN {0}\r\n x\r\n", {"+", "C a LOGIN {0}\r\n x"}},
    {"literal in a FETCH header list",
     "a FETCH 1 BODY[HEADER.FIELDS ({4}\r\nFrom)]\r\n",
     {"+", "C a FETCH 1 BODY[HEADER.FIELDS ({4}\r\nFrom)]"}},
    {"braces in a quoted string are no literal",
     "a SELECT \"x{5}\"\r\nb SELECT \"q\\\"{2}\"\r\n",
     {"C a SELECT \"x{5}\"", "C b SELECT \"q\\\"{2}\""}},
    {"quote within an unterminated string is no literal",
     "a SELECT \"x {5}\r\n",
     {"C a SELECT \"x {5}"}},
    {"braces not at the end are no literal", "a X {5} y\r\n", {"C a X {5} y"}},
    {"bad literal", "a LOGIN {5x}\r\nb NOOP\r\n", {"E Invalid literal a", "C b NOOP"}},
    {"empty braces", "a LOGIN {}\r\n", {"E Invalid literal a"}},
    {"line too long, then resync",
     "a SEARCH SUBJECT xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nb "
     "NOOP\r\n",
     {"E Line too long a", "C b NOOP"}},
    {"line of exactly the limit",
     "a SEARCH SUBJECT xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
     {"C a SEARCH SUBJECT xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}},
    {"too long line ending in a non-synchronising literal: its octets are skipped",
     "a SEARCH SUBJECT xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx {9+}\r\nb NOOP\r\n\r\nc "
     "NOOP\r\n",
     {"E Line too long a", "C c NOOP"}},
    {"synchronising literal too large: no continuation, the next line is a command",
     "a LOGIN {17}\r\nb NOOP\r\n",
     {"E Literal too large a", "C b NOOP"}},
    {"non-synchronising literal too large is dropped with the rest of its command",
     "a LOGIN {17+}\r\n12345678901234567 {3+}\r\nabc\r\nb NOOP\r\n",
     {"E Literal too large a", "C b NOOP"}},
    {"APPEND takes a larger literal",
     "a APPEND x {20+}\r\n12345678901234567890\r\n",
     {"C a APPEND x {20+}\r\n12345678901234567890"}},
    {"APPEND literal too large says append",
     "a append x {101}\r\nb NOOP\r\n",
     {"E Literal too large a append", "C b NOOP"}},
    {"command too long across literals",
     "a LOGIN {16+}\r\n1234567890123456 {16+}\r\n1234567890123456 {16+}\r\n1234567890123456 "
     "{16+}\r\n"
     "1234567890123456 {16+}\r\n1234567890123456 {16+}\r\n1234567890123456\r\nb NOOP\r\n",
     {"E Command too long a", "C b NOOP"}},

    {"untagged garbage too long",
     "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((\r\n",
     {"E Line too long "}},
    {"unterminated literal at end of input",
     "a LOGIN {5}\r\nab",
     {"+", "E Connection closed within a command a"}},
    {"overlong line cut by the end of input",
     "a SEARCH xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
     {"E Connection closed within a command a"}},
    {"unterminated line at end of input", "a NOOP", {"E Connection closed within a command a"}},
};

TEST(ImapReaderTest, Cases) {
  for (const auto& c : kCases) EXPECT_EQ(read_whole(c.input), c.events) << c.name;
}

TEST(ImapReaderTest, ByteAtATimeAndRandomChunksGiveTheSameEvents) {
  std::mt19937 rng(7);
  for (const auto& c : kCases) {
    CommandReader one(small_limits());
    EXPECT_EQ(test::read_all(one, c.input, [] { return std::size_t{1}; }), c.events) << c.name;
    for (int round = 0; round < 20; ++round) {
      CommandReader reader(small_limits());
      EXPECT_EQ(test::read_all(reader, c.input, [&] { return 1 + rng() % 9; }), c.events) << c.name;
    }
  }
}

TEST(ImapReaderTest, LongLiteralAnnouncements) {
  // Leading zeros make no literal too long to read; past 64 characters of
  // braces the announcement is refused rather than guessed at.
  EXPECT_EQ(
      read_whole("a LOGIN {0000000000000000000000000000000000000000000003+}\r\nabc x\r\n", {}),
      (Events{"C a LOGIN {0000000000000000000000000000000000000000000003+}\r\nabc x"}));
  EXPECT_EQ(read_whole("a LOGIN {" + std::string(70, '0') + "1}\r\nb NOOP\r\n", {}),
            (Events{"E Invalid literal a", "C b NOOP"}));
  EXPECT_EQ(read_whole("a LOGIN {99999999999999999999999}\r\nb NOOP\r\n", {}),
            (Events{"E Literal too large a", "C b NOOP"}));
}

TEST(ImapReaderTest, LiteralPastTheCommandsLimit) {
  auto limits = small_limits();
  limits.max_command = 40;
  EXPECT_EQ(read_whole("a LOGIN {16+}\r\n1234567890123456 {16}\r\nb NOOP\r\n", limits),
            (Events{"E Literal too large a", "C b NOOP"}));
  // A command of exactly the limit (its last CR counted) is taken, however
  // its bytes come.
  std::string_view exact = "a LOGIN {16+}\r\n1234567890123456 x123456\r\n";
  Events taken{"C a LOGIN {16+}\r\n1234567890123456 x123456"};
  EXPECT_EQ(read_whole(exact, limits), taken);
  CommandReader reader(limits);
  EXPECT_EQ(test::read_all(reader, exact, [] { return std::size_t{1}; }), taken);
  EXPECT_EQ(read_whole("a LOGIN {16+}\r\n1234567890123456 x1234567\r\nb NOOP\r\n", limits),
            (Events{"E Command too long a", "C b NOOP"}));
}

TEST(ImapReaderTest, NeverHoldsMoreThanTheLimits) {
  auto limits = small_limits();
  std::string flood = "a APPEND x {90+}\r\n" + std::string(90, 'm') + "\r\n" +
                      "b LOGIN {100000+}\r\n" + std::string(100000, 'x') + "\r\n" +
                      std::string(100000, 'y') + "\r\nc NOOP\r\n";
  CommandReader reader(limits);
  std::size_t most = 0;
  auto events = test::read_all(
      reader, flood, [] { return std::size_t{4096}; },
      [&](const ReaderEvent&) { most = std::max(most, reader.buffered()); });
  EXPECT_LE(most, limits.max_command + limits.max_append_literal);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1], "E Literal too large b");
  EXPECT_EQ(events[2], "E Line too long ");
  EXPECT_EQ(events[3], "C c NOOP");
}

TEST(ImapReaderTest, AStreamedAppendIsBoundedByItsLimit) {
  // The default limits, and a 1 MiB APPEND: taken whole, never more held.
  ReaderLimits limits;
  limits.max_append_literal = 1 << 20;
  std::string append = "t1 APPEND INBOX {1048576+}\r\n" + std::string(1 << 20, 'a') + "\r\n";
  CommandReader reader(limits);
  std::size_t most = 0;
  auto events = test::read_all(
      reader, append, [] { return std::size_t{65536}; },
      [&](const ReaderEvent&) { most = std::max(most, reader.buffered()); });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].size(), append.size() - 2 + 2);  // "C " + the command without CRLF
  EXPECT_LE(most, (1u << 20) + 64);
}

}  // namespace
}  // namespace postern::imap
