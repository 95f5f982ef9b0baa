// Randomized robustness of the IMAP view of stored messages: the samples
// mutated byte-wise, spliced and cut thousands of times must never crash
// (ASan/UBSan), always give well-formed answers (one balanced list, an
// ENVELOPE of ten items, strings and literals intact), and every section
// must be bytes of the message, never beyond it.
#include <gtest/gtest.h>

#include <random>

#include "imap_samples.h"
#include "imap_syntax_check.h"
#include "mime/imap_section.h"
#include "mime/imap_structure.h"

namespace postern::mime {
namespace {

constexpr int kIterations = 4000;

// Fragments that make parsers take other branches.
const char* const kFragments[] = {
    "\r\n",
    "\n",
    "\r\n\r\n",
    "--",
    ";",
    "\"",
    "\\",
    "(",
    ")",
    "<",
    ">",
    ",",
    ":",
    "@",
    "=?utf-8?q?",
    "?=",
    "\t",
    "\0",
    "\xFF",
    "Content-Type: multipart/mixed; boundary=b\r\n",
    "--b\r\n",
    "--b--\r\n",
    "Content-Type: message/rfc822\r\n",
    "name*0=",
    "To: g: a@b;\r\n",
    "{5}\r\n",
};

std::string mutate(std::string s, std::mt19937& rng) {
  std::uniform_int_distribution<int> op(0, 4);
  int rounds = std::uniform_int_distribution<int>(1, 8)(rng);
  for (int r = 0; r < rounds; ++r) {
    std::size_t at = s.empty() ? 0 : std::uniform_int_distribution<std::size_t>(0, s.size())(rng);
    switch (op(rng)) {
      case 0:
        if (at < s.size()) s[at] = static_cast<char>(rng());
        break;
      case 1: {
        const char* f = kFragments[rng() % std::size(kFragments)];
        s.insert(at, f[0] == '\0' ? std::string(1, '\0') : std::string(f));
        break;
      }
      case 2:
        s.erase(at, std::uniform_int_distribution<std::size_t>(0, 40)(rng));
        break;
      case 3:
        s.resize(at);
        break;
      default: {
        // A piece of the message repeated: nesting and duplicate headers.
        std::size_t len = std::uniform_int_distribution<std::size_t>(0, 200)(rng);
        s.insert(at, s.substr(at, len));
        break;
      }
    }
  }
  return s;
}

Section random_section(std::mt19937& rng) {
  Section s;
  int depth = std::uniform_int_distribution<int>(0, 4)(rng);
  for (int i = 0; i < depth; ++i) s.part.push_back(std::uniform_int_distribution<int>(1, 4)(rng));
  s.text = static_cast<SectionText>(std::uniform_int_distribution<int>(0, 5)(rng));
  if (s.text == SectionText::mime && s.part.empty()) s.part.push_back(1);
  s.fields = {"From", "content-type", "Subject"};
  return s;
}

void check(const std::string& raw, std::mt19937& rng) {
  ImapStructure st = imap_structure(raw);
  auto envelope = test::check_imap_list(st.envelope);
  ASSERT_TRUE(envelope.ok) << st.envelope;
  EXPECT_EQ(envelope.top_level_items, 10U) << st.envelope;
  ASSERT_TRUE(test::check_imap_list(st.body_structure).ok) << st.body_structure;
  ASSERT_TRUE(test::check_imap_list(st.body).ok) << st.body;
  EXPECT_LE(st.body.size(), st.body_structure.size());
  for (int i = 0; i < 4; ++i) {
    Section section = random_section(rng);
    std::string bytes = section_bytes(raw, section);
    if (section.text == SectionText::header_fields ||
        section.text == SectionText::header_fields_not) {
      // Fields of the message plus the line ends written after them.
      EXPECT_LE(bytes.size(), raw.size() + 2 * (raw.size() + 1));
    } else {
      EXPECT_NE(raw.find(bytes), std::string::npos);
    }
    Partial partial{rng() % (raw.size() + 2), rng() % (raw.size() + 2)};
    std::string cut = section_bytes(raw, section, partial);
    EXPECT_EQ(cut, partial.start >= bytes.size() ? "" : bytes.substr(partial.start, partial.count));
  }
}

TEST(ImapRobustness, MutatedMessagesGiveWellFormedAnswers) {
  std::mt19937 rng(20261206);
  const auto& samples = test::imap_samples();
  for (int i = 0; i < kIterations; ++i) {
    std::string raw = mutate(samples[i % samples.size()].raw, rng);
    check(raw, rng);
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "iteration " << i;
      return;
    }
  }
}

TEST(ImapRobustness, DeepNestingIsBounded) {
  // 5,000 nested message/rfc822 parts and multiparts: the walk stops at
  // detail::kMaxDepth levels instead of running out of stack.
  std::string raw;
  for (int i = 0; i < 5000; ++i) {
    raw += i % 2 == 0 ? "Content-Type: message/rfc822\r\n\r\n"
                      : "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n";
  }
  raw += "\r\nend\r\n";
  std::mt19937 rng(1);
  check(raw, rng);
}

TEST(ImapRobustness, CheckerRefusesBrokenAnswers) {
  // The checker must be able to fail, or the test above proves nothing.
  EXPECT_TRUE(test::check_imap_list(R"(("a" NIL 12 ("b")("c")))").ok);
  EXPECT_TRUE(test::check_imap_list("({3}\r\nabc NIL)").ok);
  for (std::string_view bad :
       {"(", "(\"a\"", "(\"a\"))", "(\"a\"\"b\")", "({4}\r\nabc)", "(\"a\rb\")", "(nil)",
        "(NIL  NIL)", "(\"x\")(\"y\")", "({x}\r\n)"}) {
    EXPECT_FALSE(test::check_imap_list(bad).ok) << bad;
  }
}

}  // namespace
}  // namespace postern::mime
