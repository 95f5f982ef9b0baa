#include "core/header_value.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(HeaderValue, TrimBlanksRemovesSpacesAndTabsAroundOnly) {
  EXPECT_EQ(trim_blanks(" \t value with  inner blanks \t "), "value with  inner blanks");
  EXPECT_EQ(trim_blanks(" \t "), "");
  EXPECT_EQ(trim_blanks(""), "");
  // Line ends are not blanks: a value that carries one must not pass for clean.
  EXPECT_EQ(trim_blanks("value\r\n"), "value\r\n");
}

TEST(HeaderValue, MediaTypeIsLowerCasedWithoutParameters) {
  EXPECT_EQ(media_type("Multipart/Form-Data; boundary=XyZ"), "multipart/form-data");
  EXPECT_EQ(media_type("application/json"), "application/json");
  EXPECT_EQ(media_type(" text/plain ;charset=utf-8"), "text/plain");
  EXPECT_EQ(media_type("message/RFC822\t"), "message/rfc822");
  EXPECT_EQ(media_type(""), "");
  EXPECT_EQ(media_type("; charset=utf-8"), "");
}

}  // namespace
}  // namespace postern
