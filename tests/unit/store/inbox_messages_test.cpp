// The test inbox's messages (store/inbox_store.h): delivery, flags, copy and
// move, expunge, changes, expiry, quotas, search and blob sharing.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "any_inbox_fixture.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using Uids = std::vector<std::uint32_t>;

constexpr auto kSeen = static_cast<std::uint8_t>(SystemFlag::seen);
constexpr auto kAnswered = static_cast<std::uint8_t>(SystemFlag::answered);
constexpr auto kFlagged = static_cast<std::uint8_t>(SystemFlag::flagged);
constexpr auto kDeleted = static_cast<std::uint8_t>(SystemFlag::deleted);
constexpr auto kDraft = static_cast<std::uint8_t>(SystemFlag::draft);

const std::string kBody = "From: ann@example.org\r\nSubject: Hello\r\n\r\nHi there\r\n";

// On both backends.
class InboxMessagesTest : public AnyInboxFixture {};

INSTANTIATE_TEST_SUITE_P(Sqlite, InboxMessagesTest, ::testing::Values(Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, InboxMessagesTest, ::testing::Values(Backend::postgres));

// SQLite's content log, which keeps the blobs' bytes there (PostgreSQL
// keeps them in the database, whose own page checksums and vacuum stand
// for the log's checksums and reclaim).
class InboxContentLogTest : public InboxFixture {
 protected:
  std::filesystem::path content_dir() const { return dir_.path() / "postern.db-content"; }

  std::size_t segment_files() const {
    std::size_t n = 0;
    for (const auto& f : std::filesystem::directory_iterator(content_dir())) {
      n += f.path().extension() == ".seg";
    }
    return n;
  }
};

TEST_P(InboxMessagesTest, DeliveredMessageIsReadableWithItsSummary) {
  auto a = create_account("alice").value();
  clock_.advance(1h);
  auto d = delivery(kBody, {{a.id, "INBOX"}});
  d.summary.date = clock_.now() - 1min;
  d.summary.has_attachments = true;
  d.targets[0].flags = MailFlags{kFlagged, {"$label1", "Work"}};
  auto copies = deliver(d);
  ASSERT_TRUE(copies) << copies.error().message();
  ASSERT_EQ(copies->size(), 1u);
  const auto& c = copies->front();
  EXPECT_FALSE(c.error);
  EXPECT_EQ(c.account, a.id);
  EXPECT_EQ(c.uid, 1u);
  auto box = inbox().mailbox(a.id, "INBOX").value();
  EXPECT_EQ(c.mailbox, box.id);
  EXPECT_EQ(c.uid_validity, box.uid_validity);
  EXPECT_EQ(box.uid_next, 2u);
  EXPECT_GT(box.highest_modseq, 0u);

  auto entries = inbox().entries(box.id).value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].uid, 1u);
  EXPECT_EQ(entries[0].size, kBody.size());
  EXPECT_EQ(entries[0].internal_date, clock_.now());
  EXPECT_EQ(entries[0].modseq, box.highest_modseq);
  EXPECT_EQ(entries[0].flags, (MailFlags{kFlagged, {"$label1", "Work"}}));
  EXPECT_EQ(inbox().blob_content(entries[0].blob).value(), kBody);

  auto with = inbox().entries_with_summary(box.id, {1, 7}).value();
  ASSERT_EQ(with.size(), 1u);
  EXPECT_EQ(with[0].entry, entries[0]);
  EXPECT_EQ(with[0].summary.subject, "Hello");
  EXPECT_EQ(with[0].summary.from, d.summary.from);
  EXPECT_EQ(with[0].summary.envelope, "(NIL \"Hello\")");
  EXPECT_EQ(with[0].summary.date, d.summary.date);
  EXPECT_TRUE(with[0].summary.has_attachments);
  EXPECT_EQ(with[0].summary.text, "the body of Hello");
  auto without = inbox().entries_without_text(box.id, {1}).value();
  ASSERT_EQ(without.size(), 1u);
  EXPECT_EQ(without[0].entry, entries[0]);
  EXPECT_EQ(without[0].summary.envelope, with[0].summary.envelope);
  EXPECT_EQ(without[0].summary.subject, "Hello");
  EXPECT_TRUE(without[0].summary.text.empty());

  auto counts = inbox().mailbox_counts(box.id).value();
  EXPECT_EQ(counts.exists, 1u);
  EXPECT_EQ(counts.unseen, 1u);
  EXPECT_EQ(counts.bytes, kBody.size());
  auto account = inbox().account(a.id).value();
  EXPECT_EQ(account.used_bytes, kBody.size());
  EXPECT_EQ(account.last_used_at, clock_.now());
}

TEST_P(InboxMessagesTest, OneMessageForSeveralTargetsIsStoredOnce) {
  auto a = create_account("alice").value();
  auto b = create_account("bob").value();
  ASSERT_TRUE(create_mailbox(a.id, "Work"));
  auto copies =
      deliver(delivery(kBody, {{a.id, "INBOX"}, {b.id, "inbox"}, {a.id, "Work"}, {a.id, "INBOX"}}))
          .value();
  ASSERT_EQ(copies.size(), 4u);
  for (const auto& c : copies) EXPECT_FALSE(c.error);
  EXPECT_EQ(copies[0].uid, 1u);
  EXPECT_EQ(copies[3].uid, 2u);  // a second entry in the same mailbox
  EXPECT_EQ(copies[1].account, b.id);
  auto blob = inbox().entries(copies[0].mailbox).value()[0].blob;
  EXPECT_EQ(inbox().entries(copies[1].mailbox).value()[0].blob, blob);
  EXPECT_EQ(inbox().entries(copies[2].mailbox).value()[0].blob, blob);
  // Each entry counts against its account, as mail servers count.
  EXPECT_EQ(used_bytes(a.id), 3 * kBody.size());
  EXPECT_EQ(used_bytes(b.id), kBody.size());
}

TEST_P(InboxMessagesTest, MissingTargetsAreRefusedOneByOne) {
  auto a = create_account("alice").value();
  auto copies =
      deliver(delivery(kBody, {{a.id, "Nope"}, {a.id + 50, "INBOX"}, {a.id, "INBOX"}})).value();
  EXPECT_EQ(copies[0].error, Errc::not_found);
  EXPECT_EQ(copies[1].error, Errc::not_found);
  EXPECT_FALSE(copies[2].error);
  EXPECT_EQ(copies[2].uid, 1u);
  EXPECT_EQ(uids_of(inbox_of(a.id)), std::vector<std::uint32_t>{1});
}

TEST_P(InboxMessagesTest, DeliveryWithEveryTargetRefusedStoresNothing) {
  auto a = create_account("alice").value();
  auto d = delivery(kBody, {{a.id, "Nope"}});
  d.source = MessageId(12345);
  auto copies = deliver(d).value();
  EXPECT_EQ(copies[0].error, Errc::not_found);
  EXPECT_EQ(inbox().find_caught(MessageId(12345)).error(), Errc::not_found);
  EXPECT_EQ(used_bytes(a.id), 0u);
  EXPECT_EQ(inbox().mailbox(a.id, "INBOX")->highest_modseq, 0u);
}

TEST_P(InboxMessagesTest, QuotaRefusesExactlyBeyondTheLimitAndKeepsStoredMail) {
  auto full = create_account("full", 2 * kBody.size()).value();
  auto roomy = create_account("roomy").value();
  EXPECT_EQ(deliver_one(full.id, kBody), 1u);
  EXPECT_EQ(deliver_one(full.id, kBody), 2u);  // exactly at the limit: accepted
  EXPECT_EQ(used_bytes(full.id), 2 * kBody.size());
  auto copies = deliver(delivery(kBody, {{full.id, "INBOX"}, {roomy.id, "INBOX"}})).value();
  EXPECT_EQ(copies[0].error, Errc::storage_full);
  EXPECT_FALSE(copies[1].error);
  EXPECT_EQ(uids_of(inbox_of(full.id)), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(used_bytes(full.id), 2 * kBody.size());
  // One byte less of room than a message: refused too.
  auto tight = create_account("tight", kBody.size() - 1).value();
  EXPECT_EQ(deliver(delivery(kBody, {{tight.id, "INBOX"}}))->at(0).error, Errc::storage_full);
  // Two targets of one account that together would exceed it: the second is refused.
  auto one = create_account("one", kBody.size()).value();
  copies = deliver(delivery(kBody, {{one.id, "INBOX"}, {one.id, "INBOX"}})).value();
  EXPECT_FALSE(copies[0].error);
  EXPECT_EQ(copies[1].error, Errc::storage_full);
  // Room comes back when mail goes.
  ASSERT_TRUE(expunge(inbox_of(full.id), {1}, false));
  EXPECT_EQ(used_bytes(full.id), kBody.size());
  EXPECT_EQ(deliver_one(full.id, kBody), 3u);
}

TEST_P(InboxMessagesTest, FlagsAreAddedRemovedAndReplacedWithNewModseqs) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  for (int i = 0; i < 3; ++i) deliver_one(a.id, kBody);
  auto before = inbox().mailbox_by_id(box)->highest_modseq;

  auto added = store_flags(box, {1, 2, 99}, FlagOperation::add, {kSeen, {"Work"}}).value();
  ASSERT_EQ(added.size(), 2u);  // 99 is missing: skipped
  EXPECT_EQ(added[0].uid, 1u);
  EXPECT_EQ(added[0].flags, (MailFlags{kSeen, {"Work"}}));
  EXPECT_GT(added[0].modseq, before);
  EXPECT_EQ(inbox().mailbox_by_id(box)->highest_modseq, added[0].modseq);

  // Adding what is there changes nothing, and takes no modseq.
  EXPECT_TRUE(store_flags(box, {1}, FlagOperation::add, {kSeen, {"Work"}}).value().empty());
  EXPECT_EQ(inbox().mailbox_by_id(box)->highest_modseq, added[0].modseq);

  auto more = store_flags(box, {1}, FlagOperation::add, {kFlagged, {"$x"}}).value();
  ASSERT_EQ(more.size(), 1u);
  EXPECT_EQ(more[0].flags, (MailFlags{kSeen | kFlagged, {"$x", "Work"}}));
  auto removed = store_flags(box, {1, 2}, FlagOperation::remove, {kSeen, {"Work"}}).value();
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].flags, (MailFlags{kFlagged, {"$x"}}));
  EXPECT_EQ(removed[1].flags, (MailFlags{0, {}}));
  auto replaced = store_flags(box, {1, 3}, FlagOperation::replace, {kDraft, {"B", "A"}}).value();
  ASSERT_EQ(replaced.size(), 2u);
  EXPECT_EQ(replaced[0].flags, (MailFlags{kDraft, {"A", "B"}}));
  EXPECT_EQ(replaced[1].flags, (MailFlags{kDraft, {"A", "B"}}));

  auto entries = inbox().entries(box).value();
  EXPECT_EQ(entries[0].flags, (MailFlags{kDraft, {"A", "B"}}));
  EXPECT_EQ(entries[1].flags, (MailFlags{0, {}}));
  EXPECT_EQ(entries[0].modseq, replaced[0].modseq);
  EXPECT_EQ(inbox().mailbox_counts(box)->unseen, 3u);
  EXPECT_EQ(store_flags(box + 100, {1}, FlagOperation::add, {kSeen, {}}).error(), Errc::not_found);
}

TEST_P(InboxMessagesTest, ConcurrentFlagChangesAreAllKept) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  std::vector<std::uint32_t> uids;
  for (int i = 0; i < 20; ++i) uids.push_back(deliver_one(a.id, kBody));
  // Each session adds and removes its own flag and keyword many times over,
  // all at once, ending with it added: a change read-modify-written from a
  // stale copy would lose another session's.
  const std::vector<std::uint8_t> flags = {kSeen, kAnswered, kFlagged, kDraft};
  std::atomic<int> failures{0};
  std::vector<std::thread> sessions;
  for (std::size_t t = 0; t < flags.size(); ++t) {
    sessions.emplace_back([&, t] {
      MailFlags mine{flags[t], {"$session" + std::to_string(t)}};
      for (int round = 0; round < 15; ++round) {
        for (auto op : {FlagOperation::add, FlagOperation::remove, FlagOperation::add}) {
          auto r = store_flags(box, uids, op, mine);
          if (!r) ++failures;
        }
      }
    });
  }
  for (auto& s : sessions) s.join();
  EXPECT_EQ(failures.load(), 0);
  MailFlags all{kSeen | kAnswered | kFlagged | kDraft,
                {"$session0", "$session1", "$session2", "$session3"}};
  for (const auto& e : inbox().entries(box).value()) EXPECT_EQ(e.flags, all) << e.uid;
}

TEST_P(InboxMessagesTest, ExpungeRemovesDeletedOrExactUidsAndNeverReusesThem) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  for (int i = 0; i < 5; ++i) deliver_one(a.id, kBody);
  ASSERT_TRUE(store_flags(box, {2, 4, 5}, FlagOperation::add, {kDeleted, {}}));
  // Only those of the list with \Deleted.
  EXPECT_EQ(expunge(box, {1, 2, 3}, true).value(), (Uids{2}));
  // Every one with \Deleted.
  EXPECT_EQ(expunge(box, {}, true).value(), (Uids{4, 5}));
  // Exactly these (HTTP delete); missing ones skipped.
  EXPECT_EQ(expunge(box, {3, 1, 42}, false).value(), (Uids{1, 3}));
  EXPECT_TRUE(uids_of(box).empty());
  EXPECT_EQ(used_bytes(a.id), 0u);
  EXPECT_EQ(deliver_one(a.id, kBody), 6u);
  EXPECT_EQ(expunge(box + 100, {}, true).error(), Errc::not_found);
}

TEST_P(InboxMessagesTest, ChangesSinceTellsNewFlaggedAndExpungedEntries) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  for (int i = 0; i < 4; ++i) deliver_one(a.id, kBody);
  auto seen = inbox().mailbox_by_id(box)->highest_modseq;
  ASSERT_TRUE(store_flags(box, {2}, FlagOperation::add, {kSeen, {"K"}}));
  ASSERT_TRUE(expunge(box, {3}, false));
  deliver_one(a.id, kBody);

  auto changes = inbox().changes_since(box, seen).value();
  EXPECT_TRUE(changes.complete);
  EXPECT_EQ(changes.highest_modseq, inbox().mailbox_by_id(box)->highest_modseq);
  ASSERT_EQ(changes.changed.size(), 2u);
  EXPECT_EQ(changes.changed[0].uid, 2u);
  EXPECT_EQ(changes.changed[0].flags, (MailFlags{kSeen, {"K"}}));
  EXPECT_EQ(changes.changed[1].uid, 5u);
  EXPECT_EQ(changes.expunged, (Uids{3}));

  auto none = inbox().changes_since(box, changes.highest_modseq).value();
  EXPECT_TRUE(none.complete);
  EXPECT_TRUE(none.changed.empty());
  EXPECT_TRUE(none.expunged.empty());
  EXPECT_EQ(inbox().changes_since(box + 100, 0).error(), Errc::not_found);
}

TEST_P(InboxMessagesTest, ForgottenTombstonesMakeOlderChangesIncomplete) {
  auto a = create_account("alice", 0, 365 * 24h).value();
  auto box = inbox_of(a.id);
  for (int i = 0; i < 3; ++i) deliver_one(a.id, kBody);
  auto before = inbox().mailbox_by_id(box)->highest_modseq;
  ASSERT_TRUE(expunge(box, {1}, false));
  auto after_expunge = inbox().mailbox_by_id(box)->highest_modseq;
  // Tombstones a day old are pruned by the expiry run; the mail stays.
  auto counts = expire(clock_.now() + 25h).value();
  EXPECT_EQ(counts.entries, 0u);
  EXPECT_EQ(counts.accounts, 0u);
  auto old = inbox().changes_since(box, before).value();
  EXPECT_FALSE(old.complete);
  EXPECT_TRUE(old.expunged.empty());
  auto recent = inbox().changes_since(box, after_expunge).value();
  EXPECT_TRUE(recent.complete);
  EXPECT_EQ(uids_of(box), (Uids{2, 3}));
}

TEST_P(InboxMessagesTest, CopySharesTheBlobAndKeepsFlags) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  auto work = create_mailbox(a.id, "Work").value();
  for (int i = 0; i < 3; ++i) deliver_one(a.id, kBody);
  ASSERT_TRUE(store_flags(box, {3}, FlagOperation::add, {kSeen, {"Kw"}}));
  auto result = copy(box, {3, 1, 77}, work.id, false).value();
  EXPECT_EQ(result.target_uid_validity, work.uid_validity);
  ASSERT_EQ(result.uids.size(), 2u);
  EXPECT_EQ(result.uids[0].from, 1u);
  EXPECT_EQ(result.uids[0].to, 1u);
  EXPECT_EQ(result.uids[1].from, 3u);
  EXPECT_EQ(result.uids[1].to, 2u);
  auto source = inbox().entries(box).value();
  auto copied = inbox().entries(work.id).value();
  ASSERT_EQ(copied.size(), 2u);
  EXPECT_EQ(copied[0].blob, source[0].blob);
  EXPECT_EQ(copied[1].flags, (MailFlags{kSeen, {"Kw"}}));
  EXPECT_EQ(copied[1].internal_date, source[2].internal_date);
  EXPECT_EQ(inbox().mailbox_by_id(work.id)->uid_next, 3u);
  EXPECT_EQ(used_bytes(a.id), 5 * kBody.size());
  EXPECT_EQ(uids_of(box), (Uids{1, 2, 3}));  // a copy leaves the source

  // The blob stays while an entry refers to it.
  ASSERT_TRUE(expunge(box, {1}, false));
  EXPECT_EQ(inbox().blob_content(copied[0].blob).value(), kBody);
  ASSERT_TRUE(expunge(work.id, {1}, false));
  EXPECT_EQ(inbox().blob_content(copied[0].blob).error(), Errc::not_found);

  EXPECT_EQ(copy(box, {2}, work.id + 100, false).error(), Errc::not_found);
  EXPECT_EQ(copy(box + 100, {2}, work.id, false).error(), Errc::not_found);
}

TEST_P(InboxMessagesTest, MoveExpungesTheSourceInTheSameChange) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  auto trash = create_mailbox(a.id, "Trash").value();
  for (int i = 0; i < 3; ++i) deliver_one(a.id, kBody);
  auto seen = inbox().mailbox_by_id(box)->highest_modseq;
  auto result = copy(box, {1, 2}, trash.id, true).value();
  ASSERT_EQ(result.uids.size(), 2u);
  EXPECT_EQ(uids_of(box), (Uids{3}));
  EXPECT_EQ(uids_of(trash.id), (Uids{1, 2}));
  EXPECT_EQ(inbox().changes_since(box, seen)->expunged, (Uids{1, 2}));
  EXPECT_EQ(used_bytes(a.id), 3 * kBody.size());
}

TEST_P(InboxMessagesTest, CopyOverQuotaIsRefusedButAMoveWithinTheAccountIsNot) {
  auto a = create_account("alice", 2 * kBody.size()).value();
  auto box = inbox_of(a.id);
  auto work = create_mailbox(a.id, "Work").value();
  deliver_one(a.id, kBody);
  deliver_one(a.id, kBody);
  EXPECT_EQ(copy(box, {1}, work.id, false).error(), Errc::storage_full);
  EXPECT_TRUE(uids_of(work.id).empty());
  EXPECT_TRUE(copy(box, {1, 2}, work.id, true));
  EXPECT_EQ(uids_of(work.id), (Uids{1, 2}));
  EXPECT_EQ(used_bytes(a.id), 2 * kBody.size());
  // Into another account, a move takes room there.
  auto b = create_account("bob", kBody.size()).value();
  EXPECT_EQ(copy(work.id, {1, 2}, inbox_of(b.id), true).error(), Errc::storage_full);
  EXPECT_EQ(uids_of(work.id), (Uids{1, 2}));
  EXPECT_TRUE(copy(work.id, {1}, inbox_of(b.id), true));
  EXPECT_EQ(used_bytes(a.id), kBody.size());
  EXPECT_EQ(used_bytes(b.id), kBody.size());
}

TEST_P(InboxMessagesTest, DeletingMailboxesAndAccountsFreesTheirBytesAndBlobs) {
  auto a = create_account("alice").value();
  auto b = create_account("bob").value();
  auto work = create_mailbox(a.id, "Work").value();
  auto copies = deliver(delivery(kBody, {{a.id, "Work"}, {b.id, "INBOX"}})).value();
  deliver_one(a.id, "second message");
  auto blob = inbox().entries(work.id).value()[0].blob;
  ASSERT_TRUE(delete_mailbox(a.id, "Work"));
  EXPECT_EQ(used_bytes(a.id), std::string("second message").size());
  EXPECT_EQ(inbox().blob_content(blob).value(), kBody);  // bob still has it
  ASSERT_TRUE(wait<void>([&](auto done) { inbox().delete_account(b.id, done); }));
  EXPECT_EQ(inbox().blob_content(blob).error(), Errc::not_found);
  EXPECT_EQ(inbox().entries(copies[1].mailbox).error(), Errc::not_found);
}

TEST_F(InboxContentLogTest, ReclaimRemovesContentOnlyAfterItsLastReferenceGoes) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  auto work = create_mailbox(a.id, "Work").value();
  auto uid = deliver_one(a.id, kBody);
  ASSERT_TRUE(copy(box, {uid}, work.id, false));
  auto segment = content_dir() / "0000000001.seg";
  ASSERT_TRUE(std::filesystem::exists(segment));
  // A restart starts a new segment (content_log.h): the first is closed.
  open();
  deliver_one(a.id, "another message in the next segment");
  ASSERT_TRUE(expunge(box, {uid}, false));
  ASSERT_TRUE(store_->reclaim_content_space());
  EXPECT_TRUE(std::filesystem::exists(segment));  // the copy in Work refers to it
  EXPECT_EQ(inbox().blob_content(inbox().entries(work.id).value()[0].blob).value(), kBody);
  ASSERT_TRUE(expunge(work.id, {1}, false));
  auto freed = store_->reclaim_content_space();
  ASSERT_TRUE(freed);
  EXPECT_EQ(*freed, kBody.size());
  EXPECT_FALSE(std::filesystem::exists(segment));
  EXPECT_EQ(segment_files(), 1u);
}

TEST_P(InboxMessagesTest, RenamingInboxMovesItsEntriesToTheNewMailbox) {
  auto a = create_account("alice").value();
  auto box = inbox().mailbox(a.id, "INBOX").value();
  for (int i = 0; i < 2; ++i) deliver_one(a.id, kBody);
  ASSERT_TRUE(store_flags(box.id, {2}, FlagOperation::add, {kSeen, {"K"}}));
  auto seen = inbox().mailbox_by_id(box.id)->highest_modseq;
  ASSERT_TRUE(rename_mailbox(a.id, "inbox", "Old"));
  auto old = inbox().mailbox(a.id, "Old").value();
  EXPECT_NE(old.uid_validity, box.uid_validity);
  auto moved = inbox().entries(old.id).value();
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[1].flags, (MailFlags{kSeen, {"K"}}));
  EXPECT_EQ(old.uid_next, 3u);
  EXPECT_LE(moved[1].modseq, old.highest_modseq);
  EXPECT_TRUE(uids_of(box.id).empty());
  EXPECT_EQ(inbox().changes_since(box.id, seen)->expunged, (Uids{1, 2}));
  EXPECT_EQ(used_bytes(a.id), 2 * kBody.size());
  EXPECT_EQ(deliver_one(a.id, kBody), 3u);  // INBOX's UIDs go on growing
}

TEST_P(InboxMessagesTest, ExpiryRemovesOldMailAndUnusedAccountsOnly) {
  auto a = create_account("alice", 0, 48h).value();
  auto keep = create_account("keep", 0, 24h * 30).value();
  auto catch_all = create_account("all", 0, 24h, true).value();
  deliver_one(a.id, kBody, "old");
  deliver_one(keep.id, kBody, "old");
  deliver_one(catch_all.id, kBody, "old");
  clock_.advance(36h);
  deliver_one(a.id, kBody, "new");
  deliver_one(catch_all.id, kBody, "new");

  auto counts = expire(clock_.now() + 13h).value();  // 49 h after the first mail
  EXPECT_EQ(counts.entries, 2u);                     // alice's and the catch-all's old ones
  EXPECT_EQ(counts.accounts, 0u);
  EXPECT_EQ(uids_of(inbox_of(a.id)), (Uids{2}));
  EXPECT_EQ(uids_of(inbox_of(keep.id)), (Uids{1}));
  EXPECT_EQ(uids_of(inbox_of(catch_all.id)), (Uids{2}));
  EXPECT_EQ(used_bytes(a.id), kBody.size());

  // Much later: alice is unused for longer than her retention and goes with
  // her mail; the catch-all never goes for lack of use.
  counts = expire(clock_.now() + 24h * 20).value();
  EXPECT_EQ(counts.accounts, 1u);
  EXPECT_EQ(inbox().account(a.id).error(), Errc::not_found);
  EXPECT_TRUE(inbox().account(catch_all.id));
  EXPECT_TRUE(inbox().account(keep.id));
}

TEST_P(InboxMessagesTest, ExpiryRemovesAtMostTheLimit) {
  auto a = create_account("alice", 0, 1h).value();
  for (int i = 0; i < 5; ++i) deliver_one(a.id, kBody);
  ASSERT_TRUE(wait<void>([&](auto done) { inbox().touch_account(a.id, clock_.now() + 3h, done); }));
  EXPECT_EQ(expire(clock_.now() + 2h, 3)->entries, 3u);
  EXPECT_EQ(uids_of(inbox_of(a.id)), (Uids{4, 5}));
  EXPECT_EQ(expire(clock_.now() + 2h, 3)->entries, 2u);
}

TEST_P(InboxMessagesTest, SearchFiltersNewestFirstWithACursor) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  auto d1 = delivery(kBody, {{a.id, "INBOX"}}, "Invoice 100% paid");
  d1.summary.from = "Billing <billing@shop.example>";
  ASSERT_TRUE(deliver(d1));
  clock_.advance(1h);
  auto d2 = delivery(kBody, {{a.id, "INBOX"}}, "Welcome");
  d2.summary.cc = "carol@example.org";
  d2.summary.text = "Your ACCOUNT is ready";
  ASSERT_TRUE(deliver(d2));
  clock_.advance(1h);
  ASSERT_TRUE(deliver(delivery(kBody, {{a.id, "INBOX"}}, "Welcome back")));
  ASSERT_TRUE(store_flags(box, {3}, FlagOperation::add, {kSeen, {"K"}}));

  auto uids = [&](const InboxQuery& q) {
    std::vector<std::uint32_t> out;
    for (const auto& e : inbox().search(box, q).value()) out.push_back(e.entry.uid);
    return out;
  };
  EXPECT_EQ(uids({}), (Uids{3, 2, 1}));
  EXPECT_EQ(uids({.from = "BILLING"}), (Uids{1}));
  EXPECT_EQ(uids({.to = "carol"}), (Uids{2}));
  EXPECT_EQ(uids({.subject = "welcome"}), (Uids{3, 2}));
  EXPECT_EQ(uids({.subject = "100%"}), (Uids{1}));
  EXPECT_TRUE(uids({.subject = "0_"}).empty());  // '_' is no wildcard
  EXPECT_EQ(uids({.text = "account is"}), (Uids{2}));
  EXPECT_EQ(uids({.text = "invoice"}), (Uids{1}));  // the subject counts as text
  EXPECT_EQ(uids({.seen = true}), (Uids{3}));
  EXPECT_EQ(uids({.seen = false}), (Uids{2, 1}));
  auto start = clock_.now() - 2h;
  EXPECT_EQ(uids({.since = start + 1h}), (Uids{3, 2}));
  EXPECT_EQ(uids({.until = start + 1h}), (Uids{1}));
  EXPECT_EQ(uids({.before_uid = 3, .limit = 1}), (Uids{2}));
  auto found = inbox().search(box, {.seen = true}).value();
  EXPECT_EQ(found[0].entry.flags, (MailFlags{kSeen, {"K"}}));
  EXPECT_EQ(found[0].summary.subject, "Welcome back");
  EXPECT_EQ(inbox().search(box + 100, {}).error(), Errc::not_found);
}

TEST_P(InboxMessagesTest, CaughtMessageIsFoundByItsGatewayId) {
  auto a = create_account("alice").value();
  deliver_one(a.id, "other");
  auto d = delivery(kBody, {{a.id, "INBOX"}});
  d.source = MessageId(0x1234567);
  d.targets[0].flags.keywords = {"K"};
  ASSERT_TRUE(deliver(d));
  auto found = inbox().find_caught(MessageId(0x1234567));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->first, a.id);
  EXPECT_EQ(found->second.uid, 2u);
  EXPECT_EQ(found->second.flags.keywords, std::vector<std::string>{"K"});
  EXPECT_EQ(inbox().find_caught(MessageId(99)).error(), Errc::not_found);
}

TEST_F(InboxContentLogTest, BlobWhoseBytesChangedOnDiskIsCorrupt) {
  auto a = create_account("alice").value();
  deliver_one(a.id, kBody);
  auto blob = inbox().entries(inbox_of(a.id)).value()[0].blob;
  {
    std::fstream segment(content_dir() / "0000000001.seg",
                         std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(segment);
    segment.seekp(0);
    segment.put('X');
  }
  EXPECT_EQ(inbox().blob_content(blob).error(), Errc::corrupt);
}

TEST_P(InboxMessagesTest, WritesAfterCloseAreRefused) {
  auto a = create_account("alice").value();
  store_->close();
  EXPECT_EQ(deliver(delivery(kBody, {{a.id, "INBOX"}})).error(), Errc::shutting_down);
  EXPECT_EQ(create_mailbox(a.id, "Sent").error(), Errc::shutting_down);
  EXPECT_TRUE(inbox().account(a.id));  // reads still answer
}

TEST_P(InboxMessagesTest, EverythingSurvivesAReopen) {
  auto a = create_account("alice", 10000).value();
  auto box = inbox_of(a.id);
  deliver_one(a.id, kBody);
  deliver_one(a.id, "second");
  ASSERT_TRUE(store_flags(box, {1}, FlagOperation::add, {kSeen, {"Kept"}}));
  ASSERT_TRUE(expunge(box, {2}, false));
  auto before = inbox().mailbox_by_id(box).value();
  auto entries = inbox().entries(box).value();
  open();
  EXPECT_EQ(inbox().entries(box).value(), entries);
  auto after = inbox().mailbox_by_id(box).value();
  EXPECT_EQ(after.uid_next, before.uid_next);
  EXPECT_EQ(after.highest_modseq, before.highest_modseq);
  EXPECT_EQ(after.uid_validity, before.uid_validity);
  EXPECT_EQ(used_bytes(a.id), kBody.size());
  EXPECT_EQ(inbox().blob_content(entries[0].blob).value(), kBody);
  EXPECT_EQ(inbox().changes_since(box, 0)->expunged, (Uids{2}));
  EXPECT_EQ(deliver_one(a.id, kBody), 3u);
}

TEST_P(InboxMessagesTest, ManyUidsAreReadWithSummariesInOnePass) {
  auto a = create_account("alice").value();
  auto box = inbox_of(a.id);
  std::vector<std::pair<AccountId, std::string>> targets(100, {a.id, "INBOX"});
  ASSERT_TRUE(deliver(delivery(kBody, targets)));
  ASSERT_TRUE(store_flags(box, {50, 51}, FlagOperation::add, {kSeen, {"K"}}));
  std::vector<std::uint32_t> asked;
  for (std::uint32_t uid = 2; uid <= 100; uid += 2) asked.push_back(uid);
  asked.push_back(500);
  auto got = inbox().entries_with_summary(box, asked).value();
  ASSERT_EQ(got.size(), 50u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].entry.uid, asked[i]);
  EXPECT_EQ(got[24].entry.flags, (MailFlags{kSeen, {"K"}}));  // uid 50
  EXPECT_EQ(got[25].entry.flags, (MailFlags{0, {}}));         // uid 52
  EXPECT_EQ(got[0].summary.subject, "Hello");
}

}  // namespace
}  // namespace postern::store
