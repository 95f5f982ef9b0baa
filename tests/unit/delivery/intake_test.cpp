#include "delivery/intake.h"

#include <gtest/gtest.h>

#include "support/await_completion.h"
#include "support/fake_clock.h"
#include "support/fake_event_store.h"
#include "support/sqlite_store.h"

namespace postern::delivery {
namespace {

using Names = std::vector<std::string>;

class IntakeSuppressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test::open_sqlite_store(dir_, clock_, metrics_);
    ASSERT_TRUE(store_);
    intake_ = std::make_unique<Intake>(*store_, metrics_, [this] { ++durable_; });
    intake_->check_suppressions_with(list_);
    list_.put({"Gone@Example.org", "bounced", "mg", std::nullopt, "", SystemTime{}});
  }
  void TearDown() override {
    if (store_) store_->close();
  }

  store::NewMessage message(Names to) {
    store::NewMessage m;
    m.content = R"({"from":"a@x.org","to":"b@x.org","text":"t"})";
    m.envelope.sender = "a@x.org";
    for (auto& r : to) m.envelope.recipients.push_back({r, RecipientKind::to});
    m.source = "http";
    return m;
  }

  Result<Accepted> submit(store::NewMessage m) {
    return test::await_completion<Accepted>(
        [&](auto done) { intake_->submit(std::move(m), done); });
  }

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  test::FakeEventStore list_;
  std::unique_ptr<Intake> intake_;
  int durable_ = 0;
};

TEST_F(IntakeSuppressionTest, NamesTheRecipientsOnTheListAndStoresTheMessage) {
  auto r = submit(message({"ok@x.org", "Gone@EXAMPLE.ORG", "gone@example.org"}));
  ASSERT_TRUE(r) << r.error().message();
  // The domain compares without case, the local part with it.
  EXPECT_EQ(r->suppressed, (Names{"Gone@EXAMPLE.ORG"}));
  EXPECT_TRUE(store_->get_message(r->stored.id));
  EXPECT_EQ(durable_, 1);
  EXPECT_NE(metrics_.render().find("postern_recipients_suppressed_total 1"), std::string::npos);
}

TEST_F(IntakeSuppressionTest, AMessageToNobodyOnTheListHasNoneSuppressed) {
  auto r = submit(message({"ok@x.org"}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->suppressed.empty());
}

TEST_F(IntakeSuppressionTest, CaughtMailIsNotChecked) {
  auto m = message({"Gone@Example.org"});
  m.catch_account = 1;
  int reads = list_.reads;
  auto r = submit(std::move(m));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->suppressed.empty());
  EXPECT_EQ(list_.reads, reads);
}

TEST_F(IntakeSuppressionTest, AnUnreadableListRefusesRatherThanSendsToItsAddresses) {
  list_.fail_reads = true;
  auto r = submit(message({"Gone@Example.org"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::storage_unavailable);
  EXPECT_EQ(durable_, 0);
}

}  // namespace
}  // namespace postern::delivery
