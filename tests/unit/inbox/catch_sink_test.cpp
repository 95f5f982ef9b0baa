// The capture provider's sink over a real SQLite inbox: which accounts a
// caught message is filed into, and what the attempt says when it cannot be.
#include "inbox/catch_sink.h"

#include <gtest/gtest.h>

#include "core/caught_mail.h"
#include "providers/capture/capture_provider.h"
#include "store/inbox_fixture.h"

namespace postern::inbox {
namespace {

using providers::FailureClass;
using providers::InboxFiling;
using providers::OutboundMessage;

constexpr std::string_view kRaw =
    "From: App <app@example.com>\r\nTo: someone@example.org\r\nSubject: Caught\r\n\r\nHello\r\n";

class CatchSinkTest : public store::InboxFixture {
 protected:
  void SetUp() override {
    InboxFixture::SetUp();
    // Accounts whose address is user@inbox.example.test (the fixture's).
    sink_.emplace(inbox(), clock_, CatchOptions{"inbox.example.test", "catch-all"});
  }

  std::shared_ptr<OutboundMessage> message(std::vector<std::string> recipients,
                                           std::int64_t catch_account = 0) {
    Envelope envelope;
    envelope.sender = "app@example.com";
    for (auto& r : recipients) envelope.recipients.push_back({r, RecipientKind::to});
    auto m = std::make_shared<OutboundMessage>(MessageId(++next_id_), ContentFormat::mime,
                                               std::string(kRaw), envelope,
                                               std::vector<std::string>{}, clock_.now());
    m->set_catch_account(catch_account);
    return m;
  }

  Result<std::vector<InboxFiling>> file(std::shared_ptr<OutboundMessage> m) {
    return wait<std::vector<InboxFiling>>([&](auto done) { sink_->file(m, done); });
  }

  std::size_t inbox_size(store::AccountId account) {
    auto box = inbox().mailbox(account, "INBOX");
    EXPECT_TRUE(box);
    return inbox().entries(box->id)->size();
  }

  std::optional<CatchSink> sink_;
  std::uint64_t next_id_ = 1000;
};

TEST_F(CatchSinkTest, MailOfACatchAccountGoesToItsInboxAloneWhateverTheRecipients) {
  auto a = create_account("alice");
  auto b = create_account("bob");
  auto all = create_account("catch-all", 0, std::chrono::hours(1), true);
  auto m = message({"bob@inbox.example.test", "x@example.org"}, a->id);
  auto filed = file(m);
  ASSERT_TRUE(filed) << filed.error().message();
  ASSERT_EQ(filed->size(), 1u);
  EXPECT_EQ((*filed)[0].account, "alice");
  EXPECT_EQ((*filed)[0].uid, 1u);
  EXPECT_FALSE((*filed)[0].error);
  EXPECT_EQ(inbox_size(a->id), 1u);
  EXPECT_EQ(inbox_size(b->id), 0u);
  EXPECT_EQ(inbox_size(all->id), 0u);
  // Filed with its gateway id, for the message URL.
  auto caught = inbox().find_caught(m->id());
  ASSERT_TRUE(caught);
  EXPECT_EQ(caught->first, a->id);
}

TEST_F(CatchSinkTest, OtherMailGoesToTestAddressesAndTheRestToTheCatchAll) {
  auto a = create_account("alice");
  auto all = create_account("catch-all", 0, std::chrono::hours(1), true);
  // Only test addresses: the catch-all is not needed.
  ASSERT_TRUE(file(message({"ALICE@Inbox.Example.Test"})));
  EXPECT_EQ(inbox_size(a->id), 1u);
  EXPECT_EQ(inbox_size(all->id), 0u);
  // An outside recipient and a test address nobody has: the catch-all, once.
  auto filed =
      file(message({"alice@inbox.example.test", "x@example.org", "nobody@inbox.example.test"}));
  ASSERT_TRUE(filed);
  ASSERT_EQ(filed->size(), 2u);
  EXPECT_EQ((*filed)[0].account, "alice");
  EXPECT_EQ((*filed)[1].account, "catch-all");
  EXPECT_EQ(inbox_size(a->id), 2u);
  EXPECT_EQ(inbox_size(all->id), 1u);
}

// Mail the MX took (docs/inbox.md "MX listener"): each recipient's account,
// and never the catch-all, not even for a recipient whose account is gone.
TEST_F(CatchSinkTest, MailOfTheMxGoesToEachRecipientsAccountAndNoOther) {
  auto a = create_account("alice");
  auto b = create_account("bob");
  auto all = create_account("catch-all", 0, std::chrono::hours(1), true);
  auto filed =
      file(message({"alice@inbox.example.test", "Bob@INBOX.example.test"}, kCatchForRecipients));
  ASSERT_TRUE(filed) << filed.error().message();
  ASSERT_EQ(filed->size(), 2u);
  EXPECT_EQ((*filed)[0].account, "alice");
  EXPECT_EQ((*filed)[1].account, "bob");
  EXPECT_EQ(inbox_size(a->id), 1u);
  EXPECT_EQ(inbox_size(b->id), 1u);
  EXPECT_EQ(inbox_size(all->id), 0u);

  filed = file(message({"alice@inbox.example.test", "gone@inbox.example.test", "x@example.org"},
                       kCatchForRecipients));
  ASSERT_TRUE(filed);
  ASSERT_EQ(filed->size(), 3u);
  auto r = providers::capture::capture_result("id1", filed);
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.detail,
            "caught into alice (not into: test account 'gone@inbox.example.test' no longer "
            "exists; test account 'x@example.org' no longer exists)");
  EXPECT_EQ(inbox_size(a->id), 2u);
  EXPECT_EQ(inbox_size(all->id), 0u);

  // Nobody left: the attempt fails for good.
  filed = file(message({"gone@inbox.example.test"}, kCatchForRecipients));
  ASSERT_TRUE(filed);
  r = providers::capture::capture_result("id2", filed);
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_EQ(r.code, "550 5.1.1");
  EXPECT_EQ(inbox_size(all->id), 0u);
}

TEST_F(CatchSinkTest, OverQuotaTheAttemptFailsForGoodNamingTheAccount) {
  auto a = create_account("alice", 10);  // smaller than any message
  auto filed = file(message({"x@example.org"}, a->id));
  ASSERT_TRUE(filed);
  auto r = providers::capture::capture_result("id1", filed);
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_EQ(r.code, "552 5.2.2");
  EXPECT_EQ(r.detail, "test account 'alice' is over its quota");
  EXPECT_EQ(inbox_size(a->id), 0u);
}

TEST_F(CatchSinkTest, AGoneCatchAccountFailsForGoodAndIsNeverRelayed) {
  auto filed = file(message({"x@example.org"}, 4242));
  ASSERT_TRUE(filed);
  auto r = providers::capture::capture_result("id1", filed);
  EXPECT_EQ(r.failure_class, FailureClass::permanent);
  EXPECT_EQ(r.detail, "test account '#4242' no longer exists");
}

TEST(CaptureResult, PartlyFiledIsSentAndSaysWhereNot) {
  std::vector<InboxFiling> filed{{"alice", 3, {}}, {"bob", 0, Errc::storage_full}};
  auto r = providers::capture::capture_result("id1", filed);
  EXPECT_EQ(r.failure_class, FailureClass::ok);
  EXPECT_EQ(r.detail, "caught into alice (not into: test account 'bob' is over its quota)");
  auto down = providers::capture::capture_result(
      "id1", Result<std::vector<InboxFiling>>(error_code(Errc::storage_unavailable)));
  EXPECT_EQ(down.failure_class, FailureClass::transient);
  EXPECT_EQ(down.code, "inbox_unavailable");
}

}  // namespace
}  // namespace postern::inbox
