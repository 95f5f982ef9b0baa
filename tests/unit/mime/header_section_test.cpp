// detail::scan_header / unfold: where fields start and end on raw bytes.
#include "mime/detail/header_section.h"

#include <gtest/gtest.h>

namespace postern::mime::detail {
namespace {

using namespace std::string_literals;

TEST(ScanHeader, FindsFieldsWithTheirFoldedValuesAndTheBody) {
  std::string raw =
      "From: a@example.com\r\nTo: b@example.org,\r\n\tc@example.org\r\nSubject : hi\r\n\r\nbody";
  HeaderSection s = scan_header(raw);
  EXPECT_TRUE(s.problem.empty()) << s.problem;
  ASSERT_EQ(s.fields.size(), 3u);
  EXPECT_EQ(s.fields[0].name, "From");
  EXPECT_EQ(s.fields[0].value, " a@example.com");
  EXPECT_EQ(s.fields[1].name, "To");
  EXPECT_EQ(s.fields[1].value, " b@example.org,\r\n\tc@example.org");
  EXPECT_EQ(raw.substr(s.fields[1].begin, s.fields[1].end - s.fields[1].begin),
            "To: b@example.org,\r\n\tc@example.org\r\n");
  EXPECT_EQ(s.fields[2].name, "Subject");  // WSP before the colon (obs-optional)
  EXPECT_TRUE(s.has_blank_line);
  EXPECT_EQ(raw.substr(s.body_begin), "body");
}

TEST(ScanHeader, AcceptsBareLfAndAHeaderWithoutBody) {
  std::string_view raw = "A: 1\nB: 2\n continued";
  HeaderSection s = scan_header(raw);
  EXPECT_TRUE(s.problem.empty()) << s.problem;
  ASSERT_EQ(s.fields.size(), 2u);
  EXPECT_EQ(s.fields[1].value, " 2\n continued");
  EXPECT_FALSE(s.has_blank_line);
  EXPECT_EQ(s.body_begin, raw.size());
}

TEST(ScanHeader, ReportsTheFirstProblemButKeepsScanning) {
  HeaderSection s = scan_header("A: 1\r\nnot a field\r\nBcc: x\r\n\r\n");
  EXPECT_NE(s.problem.find("line 2"), std::string::npos) << s.problem;
  ASSERT_EQ(s.fields.size(), 2u);
  EXPECT_EQ(s.fields[1].name, "Bcc");
}

TEST(ScanHeader, FlagsContinuationFirstLongLinesAndNul) {
  EXPECT_FALSE(scan_header(" A: 1\r\n\r\n").problem.empty());
  EXPECT_FALSE(scan_header(": no name\r\n\r\n").problem.empty());
  EXPECT_FALSE(scan_header("A: "s + std::string(996, 'x') + "\r\n\r\n").problem.empty());
  EXPECT_TRUE(scan_header("A: "s + std::string(995, 'x') + "\r\n\r\n").problem.empty());
  EXPECT_FALSE(scan_header("A: x\0y\r\n\r\n"s).problem.empty());
}

TEST(ScanHeader, EmptyInputHasNoFields) {
  HeaderSection s = scan_header("");
  EXPECT_TRUE(s.fields.empty());
  EXPECT_TRUE(s.problem.empty());
  EXPECT_EQ(s.body_begin, 0u);
}

TEST(Unfold, RemovesLineBreaksBeforeContinuationsAndTrims) {
  EXPECT_EQ(unfold(" a,\r\n\tb,\r\n  c  "), "a,\tb,  c");
  EXPECT_EQ(unfold("\tx\ny"), "xy");
  EXPECT_EQ(unfold(""), "");
}

}  // namespace
}  // namespace postern::mime::detail
