#include "core/csv.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

std::vector<CsvReader::Row> read_all(std::string_view text, std::size_t chunk) {
  CsvReader reader;
  for (std::size_t at = 0; at < text.size(); at += chunk) {
    EXPECT_TRUE(reader.feed(text.substr(at, chunk)));
  }
  EXPECT_TRUE(reader.finish());
  return reader.rows();
}

TEST(Csv, ReadsRfc4180RowsWhateverTheChunks) {
  const std::string text = "a,\"b,c\",\"d\"\"e\"\r\n\r\n \"f\r\ng\" ,,h\nlast";
  const std::vector<CsvReader::Row> expected = {
      {"a", "b,c", "d\"e"}, {"f\r\ng", "", "h"}, {"last"}};
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 100u}) EXPECT_EQ(read_all(text, chunk), expected);
}

TEST(Csv, RefusesWhatStrictModeRefuses) {
  for (std::string_view bad : {"a\"b\n", "\"a\"b\n"}) {
    CsvReader reader;
    auto r = reader.feed(bad);
    if (r) r = reader.finish();
    EXPECT_FALSE(r) << bad;
  }
  CsvReader open;
  ASSERT_TRUE(open.feed("\"never closed"));
  EXPECT_FALSE(open.finish());
}

TEST(Csv, BoundsFieldsPerRow) {
  CsvReader reader(3);
  EXPECT_FALSE(reader.feed("a,b,c,d\n"));
  EXPECT_FALSE(reader.finish()) << "an error stays";
}

TEST(Csv, QuotesOnlyWhereNeeded) {
  EXPECT_EQ(csv_field("plain@x.org"), "plain@x.org");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field(" lead"), "\" lead\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_line({"a", "", "b c"}), "a,,b c\r\n");
}

}  // namespace
}  // namespace postern
