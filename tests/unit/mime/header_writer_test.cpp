// detail header writing: folding, phrases, mailbox lists, dates.
#include "mime/detail/header_writer.h"

#include <gtest/gtest.h>

#include "mime/detail/header_section.h"

namespace postern::mime::detail {
namespace {

TEST(AppendField, ShortFieldsAreOneLine) {
  std::string out;
  append_field(out, "Subject", "hello world");
  EXPECT_EQ(out, "Subject: hello world\r\n");
}

TEST(AppendField, FoldsBeforeWhitespaceAndUnfoldsBackExactly) {
  std::string value;
  for (int i = 0; i < 30; ++i) value += "word" + std::to_string(i) + (i % 3 == 0 ? "  " : " ");
  value += "end";
  std::string out;
  append_field(out, "X-Test", value);
  std::size_t pos = 0;
  int lines = 0;
  while (pos < out.size()) {
    std::size_t end = out.find("\r\n", pos);
    std::string line = out.substr(pos, end - pos);
    EXPECT_LE(line.size(), kFoldWidth) << line;
    if (lines > 0) {
      EXPECT_TRUE(line[0] == ' ' || line[0] == '\t') << line;
      EXPECT_NE(line.find_first_not_of(" \t"), std::string::npos) << "whitespace-only line";
    }
    ++lines;
    pos = end + 2;
  }
  EXPECT_GT(lines, 2);
  EXPECT_EQ(unfold(out.substr(8, out.size() - 10)), value);
}

TEST(AppendField, KeepsAnUnbreakableWordWholeAndNeutralisesLineBreaks) {
  std::string out;
  append_field(out, "X", "short " + std::string(200, 'w') + " tail");
  EXPECT_EQ(out, "X: short\r\n " + std::string(200, 'w') + "\r\n tail\r\n");
  out.clear();
  append_field(out, "X", "a\r\nBcc: b");
  EXPECT_EQ(out, "X: a  Bcc: b\r\n");
}

TEST(FirstLineRoom, LeavesRoomAfterTheName) {
  EXPECT_EQ(first_line_room("Subject"), 67u);
  EXPECT_EQ(first_line_room(std::string(80, 'X')), 0u);
}

TEST(EncodePhrase, PicksAtomsQuotedStringOrEncodedWords) {
  EXPECT_EQ(encode_phrase("Jane Doe", 70), "Jane Doe");
  EXPECT_EQ(encode_phrase("Doe, Jane", 70), "\"Doe, Jane\"");
  EXPECT_EQ(encode_phrase("J. Doe", 70), "\"J. Doe\"");
  EXPECT_EQ(encode_phrase("a  b", 70), "\"a  b\"");
  EXPECT_EQ(encode_phrase(" lead", 70), "\" lead\"");
  EXPECT_EQ(encode_phrase("back\\slash \"q\"", 70), "\"back\\\\slash \\\"q\\\"\"");
  EXPECT_EQ(encode_phrase("Ren\xC3\xA9", 70), "=?utf-8?Q?Ren=C3=A9?=");
  EXPECT_EQ(encode_phrase("tab\there", 70), "=?utf-8?Q?tab=09here?=");
}

TEST(FormatMailboxList, JoinsWithCommas) {
  EXPECT_EQ(format_mailbox_list({{"", "a@example.com"}, {"B", "b@example.org"}}, 70),
            "a@example.com, B <b@example.org>");
}

}  // namespace
}  // namespace postern::mime::detail
