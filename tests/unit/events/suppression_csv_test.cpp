#include "events/suppression_csv.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "suppression_csv_check.h"

namespace postern::events {
namespace {

using test::read_suppression_csv;

const SystemTime kNow = SystemTime(std::chrono::seconds(1'750'000'000));

TEST(SuppressionCsv, ReadsEveryColumnInAnyOrder) {
  auto r = read_suppression_csv(
      "created_at,Address,reason,provider,message_id,detail\r\n"
      "2026-01-02T03:04:05Z,ann@Example.ORG,bounced,mg-us,0mb3xq7h2k4rs,\"550 5.1.1, no such "
      "user\"\r\n",
      0, kNow);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.entries.size(), 1u);
  const auto& e = r.entries[0];
  EXPECT_EQ(e.address, "ann@Example.ORG");
  EXPECT_EQ(e.reason, "bounced");
  EXPECT_EQ(e.provider, "mg-us");
  ASSERT_TRUE(e.message);
  EXPECT_EQ(e.message->to_string(), "0mb3xq7h2k4rs");
  EXPECT_EQ(e.detail, "550 5.1.1, no such user");
  EXPECT_EQ(format_rfc3339(e.created_at), "2026-01-02T03:04:05.000Z");
}

TEST(SuppressionCsv, AnAddressColumnAloneIsEnoughAndReasonDefaultsToManual) {
  auto r = read_suppression_csv("address\nbob@example.org\n\ncarol@example.org", 0, kNow);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[1].address, "carol@example.org");
  EXPECT_EQ(r.entries[0].reason, "manual");
  EXPECT_EQ(r.entries[0].created_at, kNow);
}

TEST(SuppressionCsv, QuotedFieldsKeepCommasQuotesAndLineEnds) {
  auto r = read_suppression_csv("address,detail\r\na@x.org,\"one,\r\n\"\"two\"\"\"\r\n", 0, kNow);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].detail, "one,\r\n\"two\"");
}

TEST(SuppressionCsv, RefusalsNameTheRowAndColumn) {
  struct Case {
    std::string input;
    std::string field;
  };
  const Case cases[] = {
      {"", "body"},                                     // no header at all
      {"email\nx@y.org\n", "row 1"},                    // unknown column
      {"reason\nmanual\n", "row 1"},                    // no address column
      {"address,address\nx@y.org,x@y.org\n", "row 1"},  // a column twice
      {"address\nx@y.org\nnot-an-address\n", "row 3, address"},
      {"address,reason\nx@y.org,angry\n", "row 2, reason"},
      {"address,message_id\nx@y.org,nope\n", "row 2, message_id"},
      {"address,created_at\nx@y.org,yesterday\n", "row 2, created_at"},
      {"address,created_at\nx@y.org,1013-01-02T03:04:05Z\n", "row 2, created_at"},
      {"address,created_at\nx@y.org,2999-01-02T03:04:05Z\n", "row 2, created_at"},
      {"address\nx@y.org,extra\n", "row 2"},  // more fields than the header
      {"address\n\"x@y.org\n", "body"},       // quoted field left open
      {"address\nx\"@y.org\n", "body"},       // quote inside an unquoted field
  };
  for (const auto& c : cases) {
    SuppressionCsvReader reader(kNow);
    auto r = reader.feed(c.input);
    if (r) r = reader.finish();
    ASSERT_FALSE(r) << c.input;
    EXPECT_EQ(r.error().field, c.field) << c.input << ": " << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(SuppressionCsv, ExportReadsBackTheSameEntries) {
  store::Suppression e{"ann@x.org",
                       "complained",
                       "pm",
                       MessageId::parse("0mb3xq7h2k4rs"),
                       " \"quoted\", then\r\na new line ",
                       kNow};
  auto text = suppression_csv_header() + suppression_csv_line(e);
  EXPECT_EQ(suppression_csv_header(), "address,reason,provider,message_id,detail,created_at\r\n");
  auto r = read_suppression_csv(text, 0, kNow);
  ASSERT_TRUE(r.ok) << r.error << "\n" << text;
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_TRUE(test::same_entry(r.entries[0], e)) << text;
}

TEST(SuppressionCsv, AFieldLongerThanTheLimitIsRefusedWhileItIsRead) {
  SuppressionCsvReader reader(kNow);
  ASSERT_TRUE(reader.feed("address,detail\nx@y.org,\""));
  Result<void, FieldError> r;
  std::string piece(4096, 'a');
  for (int i = 0; i < 64 && r; ++i) r = reader.feed(piece);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("longer than"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace postern::events
