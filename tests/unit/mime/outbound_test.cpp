// mime/outbound.h: the bytes a stored message is sent as, for the
// providers and GET /v1/messages/{id}/raw alike.
#include "mime/outbound.h"

#include <gtest/gtest.h>

#include "core/message_json.h"
#include "mime/date.h"
#include "mime_test_support.h"

namespace postern::mime {
namespace {

using test::header_value;

constexpr std::string_view kRaw =
    "From: a@example.com\r\n"
    "Bcc: hidden@example.net\r\n"
    "To: b@example.org\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "body\r\n";

TEST(Outbound, RawMailKeepsItsBytesWithoutBccAndWithTheTraceField) {
  EXPECT_EQ(render_raw(kRaw, "0abc"),
            "X-Postern-Id: 0abc\r\n"
            "From: a@example.com\r\n"
            "To: b@example.org\r\n"
            "Subject: hi\r\n"
            "\r\n"
            "body\r\n");
  auto stored = render_stored(ContentFormat::mime, kRaw, "0abc", test::sample_date());
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, render_raw(kRaw, "0abc"));
}

TEST(Outbound, StructuredMailIsBuiltWithPosternsIdAndTheCreationDate) {
  Message m = test::minimal_message();
  m.text = "Hello\n";
  auto built = render_built(m, "0abc", test::sample_date());
  EXPECT_EQ(header_value(built, "Message-ID"), "<0abc@postern>");
  EXPECT_EQ(header_value(built, "X-Postern-Id"), "0abc");
  EXPECT_EQ(header_value(built, "Date"), format_date(test::sample_date()));
  EXPECT_EQ(postern_message_id("0abc"), "0abc@postern");

  auto stored = render_stored(ContentFormat::json, message_to_json(m), "0abc", test::sample_date());
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, built);
}

TEST(Outbound, ReadsTheStructureOfEitherFormat) {
  auto from_raw = read_stored(ContentFormat::mime, kRaw);
  ASSERT_TRUE(from_raw);
  EXPECT_EQ(from_raw->subject, "hi");
  EXPECT_EQ(from_raw->to.at(0).address, "b@example.org");
  Message m = test::minimal_message();
  m.text = "Hello\n";
  auto from_json = read_stored(ContentFormat::json, message_to_json(m));
  ASSERT_TRUE(from_json);
  EXPECT_EQ(*from_json, m);
}

TEST(Outbound, StoredContentThatCannotBeDecodedIsCorrupt) {
  EXPECT_EQ(read_stored(ContentFormat::json, "{not json").error(), Errc::corrupt);
  EXPECT_EQ(read_stored(ContentFormat::mime, "no header at all\x01").error(), Errc::corrupt);
  EXPECT_EQ(render_stored(ContentFormat::json, "{}", "0abc", test::sample_date()).error(),
            Errc::corrupt);
}

}  // namespace
}  // namespace postern::mime
