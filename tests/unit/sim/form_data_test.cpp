// The multipart/form-data and urlencoded readers of sim/common/form_data.h:
// RFC 2046 §5.1.1 delimiters, RFC 7578 part headers, and round trips of the
// bodies Postern's own Mailgun client encodes.
#include "sim/common/form_data.h"

#include <gtest/gtest.h>

#include "providers/mailgun/multipart_form.h"

namespace postern::sim {
namespace {

TEST(FormData, ReadsFieldsAndFilesWithCrlf) {
  std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"from\"\r\n\r\n"
      "App <app@example.com>\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"message\"; filename=\"message.mime\"\r\n"
      "Content-Type: message/rfc822\r\n\r\n"
      "Subject: hi\r\n\r\nbody line\r\n\r\n"
      "--XyZ--\r\n";
  auto fields = parse_multipart(body, "XyZ");
  ASSERT_TRUE(fields) << fields.error().message;
  ASSERT_EQ(fields->size(), 2u);
  EXPECT_EQ((*fields)[0].name, "from");
  EXPECT_EQ((*fields)[0].value, "App <app@example.com>");
  EXPECT_FALSE((*fields)[0].is_file());
  EXPECT_EQ((*fields)[1].name, "message");
  ASSERT_TRUE((*fields)[1].is_file());
  EXPECT_EQ(*(*fields)[1].filename, "message.mime");
  EXPECT_EQ((*fields)[1].content_type, "message/rfc822");
  // The CRLF before the delimiter belongs to the delimiter, not the content.
  EXPECT_EQ((*fields)[1].value, "Subject: hi\r\n\r\nbody line\r\n");
}

TEST(FormData, IgnoresPreambleAndEpilogueAndAcceptsLf) {
  std::string body =
      "preamble text\n--b\nContent-Disposition: form-data; name=a\n\n1\n--b--\nepilogue";
  auto fields = parse_multipart(body, "b");
  ASSERT_TRUE(fields) << fields.error().message;
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ((*fields)[0].value, "1");
}

TEST(FormData, BoundaryInsideContentOnlyCountsAtLineStart) {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nx --b y\r\n--bc not a "
      "delimiter\r\n--b--";
  auto fields = parse_multipart(body, "b");
  ASSERT_TRUE(fields) << fields.error().message;
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ((*fields)[0].value, "x --b y\r\n--bc not a delimiter");
}

TEST(FormData, EmptyValueAndRepeatedNames) {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\na@example.com\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nb@example.com\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\n\r\n--b--\r\n";
  auto fields = parse_multipart(body, "b");
  ASSERT_TRUE(fields) << fields.error().message;
  ASSERT_EQ(fields->size(), 3u);
  EXPECT_EQ((*fields)[1].value, "b@example.com");
  EXPECT_EQ((*fields)[2].value, "");
}

TEST(FormData, QuotedNamesWithEscapes) {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"v:a\\\"b\"; "
      "filename=\"x;y.txt\"\r\n\r\nv\r\n--b--";
  auto fields = parse_multipart(body, "b");
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_EQ((*fields)[0].name, "v:a\"b");
  EXPECT_EQ(*(*fields)[0].filename, "x;y.txt");
}

TEST(FormData, RefusesMalformedBodies) {
  EXPECT_FALSE(parse_multipart("no delimiter at all", "b"));
  EXPECT_FALSE(
      parse_multipart("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nnever closed", "b"));
  EXPECT_FALSE(parse_multipart("--b\r\nContent-Disposition: form-data; name=a\r\n", "b"));
  EXPECT_FALSE(parse_multipart("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b"));
  EXPECT_FALSE(parse_multipart("--b\r\n\r\nx\r\n--b--", ""));
}

TEST(FormData, RoundTripsPostersMailgunEncoder) {
  providers::mailgun::MultipartForm form;
  form.add_field("from", "App <app@example.com>");
  form.add_field("to", "user@example.org");
  form.add_field("v:postern-id", "0abcdefghjkmn");
  std::string binary("\x00\x01\r\n--\xff", 7);
  form.add_file("attachment", "a.bin", "application/octet-stream", binary);
  auto encoded = form.encode("seed");
  auto fields = parse_form(encoded.content_type, encoded.body);
  ASSERT_TRUE(fields) << fields.error().message;
  ASSERT_EQ(fields->size(), 4u);
  EXPECT_EQ((*fields)[2].name, "v:postern-id");
  EXPECT_EQ((*fields)[2].value, "0abcdefghjkmn");
  EXPECT_EQ((*fields)[3].value, binary);
  EXPECT_EQ(*(*fields)[3].filename, "a.bin");
}

TEST(FormData, UrlencodedAndOtherTypes) {
  auto fields =
      parse_form("application/x-www-form-urlencoded", "from=a%40b.c&text=hello+world&flag");
  ASSERT_TRUE(fields);
  ASSERT_EQ(fields->size(), 3u);
  EXPECT_EQ((*fields)[0].value, "a@b.c");
  EXPECT_EQ((*fields)[1].value, "hello world");
  EXPECT_EQ((*fields)[2].name, "flag");
  EXPECT_FALSE(parse_form("application/x-www-form-urlencoded", "text=100%"));
  EXPECT_FALSE(parse_form("application/x-www-form-urlencoded", "text=%zz"));
  auto none = parse_form("application/json", "{}");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(parse_form("multipart/form-data", "--b--"));  // no boundary parameter
}

}  // namespace
}  // namespace postern::sim
