#include "app/suppression_commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "support/fake_clock.h"
#include "support/fake_event_store.h"

namespace postern::app {
namespace {

class SuppressionCommandsTest : public ::testing::Test {
 protected:
  test::FakeEventStore list_;
  test::FakeClock clock_;
  std::ostringstream out_, err_;
};

TEST_F(SuppressionCommandsTest, AddListAndRemove) {
  EXPECT_EQ(add_suppressed(list_, clock_, {"a@X.org", "b@x.org"}, "", "asked to", err_), 0);
  EXPECT_NE(err_.str().find("added 2 of 2"), std::string::npos) << err_.str();
  EXPECT_EQ(add_suppressed(list_, clock_, {"a@x.org"}, "bounced", "", err_), 0);
  EXPECT_NE(err_.str().find("added 0 of 1"), std::string::npos) << err_.str();

  EXPECT_EQ(list_suppressed(list_, out_, err_), 0);
  EXPECT_EQ(out_.str(),
            "a@X.org\tmanual\t-\t-\t2023-11-14T22:13:20.000Z\tasked to\n"
            "b@x.org\tmanual\t-\t-\t2023-11-14T22:13:20.000Z\tasked to\n");

  EXPECT_EQ(remove_suppressed(list_, "a@x.ORG", err_), 0);
  EXPECT_EQ(remove_suppressed(list_, "a@x.org", err_), 1);
  EXPECT_NE(err_.str().find("is not on the suppression list"), std::string::npos);
}

TEST_F(SuppressionCommandsTest, AddRefusesABadAddressOrReasonAndAddsNothing) {
  EXPECT_EQ(add_suppressed(list_, clock_, {"ok@x.org", "nope"}, "", "", err_), 2);
  EXPECT_EQ(add_suppressed(list_, clock_, {"ok@x.org"}, "angry", "", err_), 2);
  EXPECT_TRUE(list_.entries.empty());
}

TEST_F(SuppressionCommandsTest, ImportShowsProgressAndExportWritesItBack) {
  std::string csv = "address,reason\r\n";
  for (int i = 0; i < 2500; ++i) csv += "user" + std::to_string(i) + "@x.org,complained\r\n";
  std::istringstream in(csv);
  EXPECT_EQ(import_suppressed(list_, clock_, in, err_, 1000), 0) << err_.str();
  EXPECT_EQ(list_.entries.size(), 2500u);
  EXPECT_NE(err_.str().find("imported 1000 entries"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("imported 2500 entries: 2500 new, 0 already"), std::string::npos)
      << err_.str();
  EXPECT_EQ(list_.writes, 3) << "a write per batch of 1000";

  EXPECT_EQ(export_suppressed(list_, out_, err_), 0);
  auto exported = out_.str();
  EXPECT_EQ(exported.rfind("address,reason,provider,message_id,detail,created_at\r\n", 0), 0u);
  test::FakeEventStore copy;
  std::istringstream back(exported);
  EXPECT_EQ(import_suppressed(copy, clock_, back, err_), 0);
  EXPECT_EQ(copy.entries.size(), 2500u);
  std::ostringstream again;
  EXPECT_EQ(export_suppressed(copy, again, err_), 0);
  EXPECT_EQ(again.str(), exported);
}

TEST_F(SuppressionCommandsTest, ImportStopsAtTheFirstBadRowNamingIt) {
  std::istringstream in("address\nfirst@x.org\nsecond@x.org\nthird\nfourth@x.org\n");
  EXPECT_EQ(import_suppressed(list_, clock_, in, err_), 1);
  EXPECT_NE(err_.str().find("row 4"), std::string::npos) << err_.str();
  EXPECT_EQ(list_.entries.size(), 2u) << "the rows before it are added";
}

}  // namespace
}  // namespace postern::app
