// The test inbox's accounts and mailboxes (store/inbox_store.h).
#include <gtest/gtest.h>

#include "any_inbox_fixture.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using Names = std::vector<std::string>;

class InboxAccountsTest : public AnyInboxFixture {};

INSTANTIATE_TEST_SUITE_P(Sqlite, InboxAccountsTest, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, InboxAccountsTest, ::testing::Values(Backend::postgres));

TEST_P(InboxAccountsTest, CreatedAccountIsReadableEveryWayWithItsInbox) {
  auto a = create_account("alice", 1000, 3600s);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->user, "alice");
  EXPECT_EQ(a->address, "alice@inbox.example.test");
  EXPECT_EQ(a->quota_bytes, 1000u);
  EXPECT_EQ(a->used_bytes, 0u);
  EXPECT_EQ(a->retention, 3600s);
  EXPECT_EQ(a->created_at, clock_.now());
  EXPECT_EQ(a->last_used_at, clock_.now());
  EXPECT_FALSE(a->catch_all);

  EXPECT_EQ(inbox().account(a->id)->user, "alice");
  EXPECT_EQ(inbox().account_by_user("alice")->id, a->id);
  EXPECT_EQ(inbox().account_by_address("ALICE@inbox.example.test")->id, a->id);
  EXPECT_EQ(inbox().account(a->id + 100).error(), Errc::not_found);
  EXPECT_EQ(inbox().account_by_user("bob").error(), Errc::not_found);
  EXPECT_EQ(inbox().account_by_address("bob@x").error(), Errc::not_found);

  auto boxes = inbox().list_mailboxes(a->id);
  ASSERT_TRUE(boxes);
  ASSERT_EQ(boxes->size(), 1u);
  EXPECT_EQ((*boxes)[0].name, "INBOX");
  EXPECT_EQ((*boxes)[0].uid_next, 1u);
  EXPECT_NE((*boxes)[0].uid_validity, 0u);
  EXPECT_EQ((*boxes)[0].account, a->id);
}

TEST_P(InboxAccountsTest, UserAndAddressAreUnique) {
  ASSERT_TRUE(create_account("alice"));
  EXPECT_EQ(create_account("alice").error(), Errc::conflict);
  NewInboxAccount same_address{"other", "Alice@inbox.example.test", "h"};
  EXPECT_EQ(
      wait<InboxAccount>([&](auto done) { inbox().create_account(same_address, done); }).error(),
      Errc::conflict);
  EXPECT_EQ(inbox().list_accounts(0, 10)->size(), 1u);
}

TEST_P(InboxAccountsTest, AccountsListNewestFirstByPages) {
  std::vector<AccountId> ids;
  for (auto name : {"a", "b", "c", "d", "e"}) ids.push_back(create_account(name)->id);
  auto first = inbox().list_accounts(0, 2).value();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, ids[4]);
  EXPECT_EQ(first[1].id, ids[3]);
  auto second = inbox().list_accounts(first.back().id, 10).value();
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].id, ids[2]);
  EXPECT_EQ(second[2].id, ids[0]);
}

TEST_P(InboxAccountsTest, DeleteAccountRemovesItAndItsMailboxes) {
  auto a = create_account("alice").value();
  ASSERT_TRUE(create_mailbox(a.id, "Sent"));
  auto inbox_id = inbox().mailbox(a.id, "INBOX")->id;
  ASSERT_TRUE(wait<void>([&](auto done) { inbox().delete_account(a.id, done); }));
  EXPECT_EQ(inbox().account(a.id).error(), Errc::not_found);
  EXPECT_EQ(inbox().mailbox_by_id(inbox_id).error(), Errc::not_found);
  EXPECT_TRUE(inbox().list_mailboxes(a.id)->empty());
  EXPECT_EQ(wait<void>([&](auto done) { inbox().delete_account(a.id, done); }).error(),
            Errc::not_found);
  // The name is free again.
  EXPECT_TRUE(create_account("alice"));
}

// API keys bound to a test account (store.h ApiKey::catch_account): made
// only for an account that exists, listed with its user, and deleted with
// it in the same transaction, by a deletion or by expiry.
TEST_P(InboxAccountsTest, KeysBoundToAnAccountExistOnlyWithIt) {
  auto alice = create_account("alice").value();
  auto bob = create_account("bob", 0, 1h).value();
  auto add_key = [&](const std::string& name, std::int64_t account) {
    StoredApiKey k{{name, {"send"}, clock_.now(), account}, std::string(32, name[0])};
    return wait<void>([&](auto done) { store_->create_api_key(k, done); });
  };
  ASSERT_TRUE(add_key("a-key", alice.id));
  ASSERT_TRUE(add_key("b-key", bob.id));
  EXPECT_EQ(add_key("nobody", bob.id + 100).error(), Errc::not_found);
  // Bound keys do not close the door to loopback callers; an ordinary one does.
  EXPECT_FALSE(store_->has_api_keys().value());
  ASSERT_TRUE(add_key("ops", 0));
  EXPECT_TRUE(store_->has_api_keys().value());

  auto keys = store_->list_api_keys().value();
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].key.name, "a-key");
  EXPECT_EQ(keys[0].key.catch_account, alice.id);
  EXPECT_EQ(keys[0].key.test_account, "alice");
  EXPECT_EQ(keys[1].key.test_account, "bob");
  EXPECT_EQ(keys[2].key.catch_account, 0);
  EXPECT_EQ(keys[2].key.test_account, "");

  ASSERT_TRUE(wait<void>([&](auto done) { inbox().delete_account(alice.id, done); }));
  auto names = [&] {
    Names out;
    for (const auto& k : store_->list_api_keys().value()) out.push_back(k.key.name);
    return out;
  };
  EXPECT_EQ(names(), (Names{"b-key", "ops"}));
  // Bob is unused for longer than his retention: he expires, and his key too.
  ASSERT_TRUE(wait<ExpiryCounts>([&](auto done) { inbox().expire(clock_.now() + 2h, 100, done); }));
  EXPECT_EQ(names(), (Names{"ops"}));
}

TEST_P(InboxAccountsTest, TouchRecordsTheLastUse) {
  auto a = create_account("alice").value();
  auto later = clock_.now() + 1h;
  ASSERT_TRUE(wait<void>([&](auto done) { inbox().touch_account(a.id, later, done); }));
  EXPECT_EQ(inbox().account(a.id)->last_used_at, later);
  EXPECT_EQ(wait<void>([&](auto done) { inbox().touch_account(a.id + 9, later, done); }).error(),
            Errc::not_found);
}

TEST_P(InboxAccountsTest, MailboxesAreCreatedOnceWithValidNames) {
  auto a = create_account("alice").value();
  auto sent = create_mailbox(a.id, "Sent");
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->name, "Sent");
  EXPECT_FALSE(sent->subscribed);
  EXPECT_EQ(create_mailbox(a.id, "Sent").error(), Errc::conflict);
  EXPECT_EQ(create_mailbox(a.id, "inbox").error(), Errc::conflict);
  EXPECT_TRUE(create_mailbox(a.id, "sent"));  // other names keep their case
  for (auto bad : {"", "/a", "a/", "a//b", "a*", "a%b", "a\nb"})
    EXPECT_EQ(create_mailbox(a.id, bad).error(), Errc::invalid_argument) << bad;
  EXPECT_EQ(create_mailbox(a.id + 7, "Sent").error(), Errc::not_found);
  EXPECT_EQ(mailbox_names(a.id), (Names{"INBOX", "Sent", "sent"}));
}

TEST_P(InboxAccountsTest, InboxIsFoundInAnyCase) {
  auto a = create_account("alice").value();
  auto box = inbox().mailbox(a.id, "iNbOx");
  ASSERT_TRUE(box);
  EXPECT_EQ(box->name, "INBOX");
  EXPECT_EQ(inbox().mailbox_by_id(box->id)->name, "INBOX");
  EXPECT_EQ(inbox().mailbox(a.id, "Nope").error(), Errc::not_found);
  auto other = create_account("bob").value();
  EXPECT_NE(inbox().mailbox(other.id, "INBOX")->id, box->id);
}

TEST_P(InboxAccountsTest, DeleteMailboxRefusesInboxAndMissingOnes) {
  auto a = create_account("alice").value();
  ASSERT_TRUE(create_mailbox(a.id, "Trash"));
  EXPECT_EQ(delete_mailbox(a.id, "inbox").error(), Errc::invalid_argument);
  EXPECT_EQ(delete_mailbox(a.id, "Nope").error(), Errc::not_found);
  EXPECT_TRUE(delete_mailbox(a.id, "Trash"));
  EXPECT_EQ(delete_mailbox(a.id, "Trash").error(), Errc::not_found);
  EXPECT_EQ(mailbox_names(a.id), (Names{"INBOX"}));
}

TEST_P(InboxAccountsTest, RecreatedMailboxHasANewUidValidityAndId) {
  auto a = create_account("alice").value();
  auto first = create_mailbox(a.id, "Work").value();
  ASSERT_TRUE(delete_mailbox(a.id, "Work"));
  auto second = create_mailbox(a.id, "Work").value();
  EXPECT_NE(second.uid_validity, first.uid_validity);
  EXPECT_NE(second.id, first.id);
  EXPECT_EQ(inbox().mailbox_by_id(first.id).error(), Errc::not_found);
}

TEST_P(InboxAccountsTest, RenameMovesTheMailboxAndThoseBelowIt) {
  auto a = create_account("alice").value();
  for (auto name : {"a", "a/b", "a/b/c", "ab", "x"}) ASSERT_TRUE(create_mailbox(a.id, name));
  auto id = inbox().mailbox(a.id, "a/b")->id;
  ASSERT_TRUE(rename_mailbox(a.id, "a", "z"));
  EXPECT_EQ(mailbox_names(a.id), (Names{"INBOX", "ab", "x", "z", "z/b", "z/b/c"}));
  EXPECT_EQ(inbox().mailbox(a.id, "z/b")->id, id);  // the same mailbox, renamed

  EXPECT_EQ(rename_mailbox(a.id, "nope", "q").error(), Errc::not_found);
  EXPECT_EQ(rename_mailbox(a.id, "z", "x").error(), Errc::conflict);
  EXPECT_EQ(rename_mailbox(a.id, "x", "INBOX").error(), Errc::conflict);
  EXPECT_EQ(rename_mailbox(a.id, "x", "x/y").error(), Errc::invalid_argument);
  EXPECT_EQ(rename_mailbox(a.id, "x", "").error(), Errc::invalid_argument);
  // A child of the new name that exists outside the renamed family: nothing moves.
  ASSERT_TRUE(create_mailbox(a.id, "q/b"));
  EXPECT_EQ(rename_mailbox(a.id, "z", "q").error(), Errc::conflict);
  EXPECT_EQ(mailbox_names(a.id), (Names{"INBOX", "ab", "q/b", "x", "z", "z/b", "z/b/c"}));
}

TEST_P(InboxAccountsTest, RenameUpToAnAncestorKeepsEveryMailbox) {
  auto a = create_account("alice").value();
  for (auto name : {"a/b", "a/b/b"}) ASSERT_TRUE(create_mailbox(a.id, name));
  ASSERT_TRUE(rename_mailbox(a.id, "a/b", "a"));
  EXPECT_EQ(mailbox_names(a.id), (Names{"INBOX", "a", "a/b"}));
}

TEST_P(InboxAccountsTest, SubscriptionIsKept) {
  auto a = create_account("alice").value();
  ASSERT_TRUE(create_mailbox(a.id, "Sent"));
  ASSERT_TRUE(wait<void>([&](auto done) { inbox().set_subscribed(a.id, "Sent", true, done); }));
  EXPECT_TRUE(inbox().mailbox(a.id, "Sent")->subscribed);
  ASSERT_TRUE(wait<void>([&](auto done) { inbox().set_subscribed(a.id, "Sent", false, done); }));
  EXPECT_FALSE(inbox().mailbox(a.id, "Sent")->subscribed);
  EXPECT_EQ(
      wait<void>([&](auto done) { inbox().set_subscribed(a.id, "Nope", true, done); }).error(),
      Errc::not_found);
}

TEST_P(InboxAccountsTest, AccountsAndMailboxesSurviveAReopen) {
  auto a = create_account("alice", 500).value();
  auto sent = create_mailbox(a.id, "Sent").value();
  open();
  auto again = inbox().account(a.id);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->quota_bytes, 500u);
  EXPECT_EQ(inbox().mailbox(a.id, "Sent")->uid_validity, sent.uid_validity);
  // UIDVALIDITY keeps growing across restarts.
  EXPECT_GT(create_mailbox(a.id, "Other")->uid_validity, sent.uid_validity);
}

TEST_P(InboxAccountsTest, CountsOfAnEmptyMailbox) {
  auto a = create_account("alice").value();
  auto counts = inbox().mailbox_counts(inbox().mailbox(a.id, "INBOX")->id);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->exists, 0u);
  EXPECT_EQ(counts->bytes, 0u);
  EXPECT_EQ(inbox().mailbox_counts(999).error(), Errc::not_found);
}

}  // namespace
}  // namespace postern::store
