// In-process robustness run (libFuzzer style, fixed seed): generated
// commands, then mutated byte streams, through CommandReader and
// parse_command. Run under ASan/UBSan; beyond "no crash": every generated
// command parses, the reader never holds more than its limits, the events
// do not depend on how the bytes are cut, every line the reader ends is
// answered (a command or an error), and refusals are one line of text.
#include <gtest/gtest.h>

#include <random>

#include "command_generator.h"
#include "imap/parser/command_parser.h"
#include "reader_support.h"
#include "support/byte_mutator.h"

namespace postern::imap {
namespace {

constexpr std::uint32_t kSeed = 20261206;

// Limits small and varied, so that streams reach them at every boundary.
ReaderLimits random_limits(std::mt19937& rng) {
  return {.max_line = 20 + rng() % 200,
          .max_literal = rng() % 64,
          .max_append_literal = 32 + rng() % 128,
          .max_command = 20 + rng() % 600};
}

char interesting_byte(std::mt19937& rng) {
  static constexpr std::string_view kAlphabet = "\r\n{}+ ()[]<>.:,*\"\\%0123456789AaBFSTUX\x80\xff";
  if (rng() % 8 == 0) return static_cast<char>(rng() % 256);
  return kAlphabet[rng() % kAlphabet.size()];
}

std::string mutate(std::string s, std::mt19937& rng) {
  // Literal announcements, and runs that reach the limits.
  static const postern::test::ByteMutator mutator{
      interesting_byte,
      [](std::mt19937& r) {
        return "{" + std::to_string(r() % 300) + (r() % 2 ? "+" : "") + "}\r\n";
      },
      [](std::mt19937& r) { return std::string(r() % 400, static_cast<char>('a' + r() % 3)); }};
  return mutator(std::move(s), rng);
}

// What the session would do with each event: parse commands and check
// what it would say.
void check_event(const ReaderEvent& e) {
  if (e.kind == ReaderEvent::Kind::error) {
    EXPECT_FALSE(e.error.text().empty());
    EXPECT_EQ(e.error.tag.find_first_of(" \r\n"), std::string::npos);
  }
  if (e.kind != ReaderEvent::Kind::command) return;
  auto parsed = parse_command(e.command);
  if (parsed) {
    EXPECT_FALSE(parsed->tag.empty());
    EXPECT_TRUE(e.command.starts_with(parsed->tag + " "));
  } else {
    const auto& error = parsed.error();
    EXPECT_FALSE(error.text.empty());
    EXPECT_EQ(error.text.find_first_of("\r\n"), std::string::npos) << error.text;
    EXPECT_EQ(error.tag.find_first_of(" \r\n"), std::string::npos);
  }
}

TEST(ImapFuzzTest, GeneratedCommandsParse) {
  test::CommandGenerator gen(kSeed);
  for (int i = 0; i < 20000; ++i) {
    auto text = gen.command();
    CommandReader reader;
    auto events = test::read_all(reader, text, [&] { return 1 + gen.rng()() % 32; });
    ASSERT_FALSE(events.empty()) << text;
    ASSERT_TRUE(events.back().starts_with("C ")) << text << events.back();
    auto command = events.back().substr(2);
    auto parsed = parse_command(command);
    ASSERT_TRUE(parsed) << testing::PrintToString(text) << ": " << parsed.error().text;
  }
}

TEST(ImapFuzzTest, MutatedStreams) {
  test::CommandGenerator gen(kSeed + 1);
  auto& rng = gen.rng();
  for (int i = 0; i < 20000; ++i) {
    std::string stream;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) stream += gen.command();
    stream = mutate(stream, rng);
    auto limits = random_limits(rng);

    CommandReader whole_reader(limits);
    auto whole = test::read_all(
        whole_reader, stream, [&] { return stream.size(); }, check_event);
    EXPECT_EQ(whole_reader.buffered(), 0u);

    CommandReader reader(limits);
    std::size_t most = 0;
    auto cut = test::read_all(
        reader, stream, [&] { return 1 + rng() % 50; },
        [&](const ReaderEvent& e) {
          most = std::max(most, reader.buffered());
          // Progress: every event but need_more ends at a line end it took.
          if (e.kind != ReaderEvent::Kind::need_more) {
            EXPECT_GT(e.consumed, 0u);
          }
        });
    ASSERT_EQ(whole, cut) << testing::PrintToString(stream);
    ASSERT_LE(most, limits.max_command + limits.max_append_literal);

    // Every line end the reader did not take into a literal answered
    // something: at least one event when the stream has a line end.
    if (stream.find('\n') != std::string::npos) {
      ASSERT_FALSE(whole.empty()) << testing::PrintToString(stream);
    }
  }
}

TEST(ImapFuzzTest, RandomBytesThroughTheParser) {
  std::mt19937 rng(kSeed + 2);
  for (int i = 0; i < 30000; ++i) {
    std::string s(rng() % 120, '\0');
    for (auto& c : s) c = interesting_byte(rng);
    if (rng() % 2) s = "a " + s;
    auto parsed = parse_command(s);
    if (!parsed) {
      EXPECT_FALSE(parsed.error().text.empty());
    }
  }
}

}  // namespace
}  // namespace postern::imap
