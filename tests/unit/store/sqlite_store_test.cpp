#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "core/crc32c.h"
#include "store/migrations/sqlite_migrations.h"
#include "store/sqlite/database.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

class SqliteStoreTest : public StoreFixture {};

// Queued messages have no entry in messages_by_status: a shallow queue is
// listed from its own index, a deep one by reading rows newest first, and
// both give the same pages; other statuses list through messages_by_status.
TEST_F(SqliteStoreTest, QueuedMessagesListTheSameFromAShallowOrADeepQueue) {
  std::vector<MessageId> ids;
  for (int i = 0; i < 7; ++i) {
    clock_.advance(1ms);
    ids.push_back(enqueue(message("m" + std::to_string(i)))->id);
  }
  auto leased = lease(2);  // the two oldest
  ASSERT_EQ(leased.size(), 2u);
  AttemptRecord sent{leased[0].id, MessageStatus::sent, {}, "capture", "ok", "250", "", "", 1ms};
  ASSERT_TRUE(record(sent));
  const std::vector<MessageId> queued_newest_first(ids.rbegin(), ids.rend() - 2);

  auto list = [&](MessageStatus status) {
    ListFilter f;
    f.status = status;
    f.limit = 2;
    return all_pages(f);
  };
  EXPECT_EQ(list(MessageStatus::queued), queued_newest_first);
  EXPECT_EQ(list(MessageStatus::sent), std::vector<MessageId>{leased[0].id});
  EXPECT_EQ(list(MessageStatus::sending), std::vector<MessageId>{leased[1].id});

  open(sqlite::SqliteOptions{.deep_queue = 2});  // 5 queued: a deep queue now
  EXPECT_EQ(list(MessageStatus::queued), queued_newest_first);
  EXPECT_EQ(list(MessageStatus::sent), std::vector<MessageId>{leased[0].id});
}

// Content lies in the content log beside the database; bytes a failing disk
// (or a power cut, for a message never acknowledged) changed fail their
// checksum. Such a message fails with the reason in its timeline, and the
// queue behind it moves on.
TEST_F(SqliteStoreTest, UnreadableContentFailsItsMessageAndTheQueueMovesOn) {
  auto bad = enqueue(message("damaged"))->id;
  auto good = enqueue(message("intact"))->id;
  auto segments = std::filesystem::directory_iterator(dir_.file("postern.db-content"));
  auto segment = segments->path();
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);  // inside the first message's content
    f.put('#');
  }
  EXPECT_EQ(store_->get_content(bad).error(), Errc::corrupt);
  EXPECT_TRUE(store_->get_content(good));

  auto leased = lease(10);
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, good);
  auto detail = store_->get_message(bad).value();
  EXPECT_EQ(detail.summary.status, MessageStatus::failed);
  ASSERT_EQ(detail.events.size(), 2u);
  EXPECT_EQ(detail.events[1].code, "content_unreadable");
  auto c = counts();
  EXPECT_EQ(c[static_cast<int>(MessageStatus::failed)], 1);
  EXPECT_EQ(c[static_cast<int>(MessageStatus::sending)], 1);
  EXPECT_EQ(c[static_cast<int>(MessageStatus::queued)], 0);
}

// The rows of message 42, to b@x.org and cc c@x.org, besides its messages
// row (and its content; submitted by "k") as every version before 5 wrote
// them: recipients in a table of their own (written here out of order),
// the accepted event in the events table.
constexpr const char* kOldRecipientsEventsAndCount =
    "INSERT INTO recipients(message_id, idx, address, kind) VALUES (42, 1, 'c@x.org', 1);"
    "INSERT INTO recipients(message_id, idx, address, kind) VALUES (42, 0, 'b@x.org', 0);"
    "INSERT INTO events(message_id, seq, at, type, status, detail) VALUES (42, 0, 0, 'accepted', "
    "0, 'via smtp by k');"
    "INSERT INTO events(message_id, seq, at, type, status, detail) VALUES (42, 1, 5, 'reclaimed', "
    "0, 'lease expired');"
    "UPDATE status_counts SET n = 1 WHERE status = 0;";

// Writes a store as version `version` left it: its schema, then `rows`.
void write_old_store(const std::string& path, int version, const std::string& rows) {
  auto db = sqlite::Database::open(path, true);
  ASSERT_TRUE(db);
  ASSERT_TRUE(migrations::migrate_sqlite(**db, version));
  ASSERT_TRUE((*db)->exec(rows + kOldRecipientsEventsAndCount));
}

// Opens (and so migrates) the store written by an older version and checks
// that its message 42 reads (recipients and timeline too) and leases with
// `content`; with `reclaim`, after the removal of every content segment no
// row refers to.
void expect_message_42_after_migration(const std::string& path, const std::string& content,
                                       bool reclaim) {
  test::FakeClock clock;
  MetricsRegistry metrics;
  auto store = sqlite::SqliteStore::open({path}, clock, metrics);
  ASSERT_TRUE(store) << store.error().message();
  if (reclaim) {
    ASSERT_TRUE((*store)->reclaim_content_space());
  }
  auto read = (*store)->get_content(MessageId(42));
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(read->second, content);
  auto detail = (*store)->get_message(MessageId(42));
  ASSERT_TRUE(detail) << detail.error().message();
  const std::vector<Recipient> both = {{"b@x.org", RecipientKind::to},
                                       {"c@x.org", RecipientKind::cc}};
  EXPECT_EQ(detail->summary.recipients, both);
  ASSERT_EQ(detail->events.size(), 2u);
  EXPECT_EQ(detail->events[0].seq, 0);
  EXPECT_EQ(detail->events[0].type, "accepted");
  EXPECT_EQ(detail->events[0].detail, "via smtp by k");
  EXPECT_EQ(detail->events[1].seq, 1);
  EXPECT_EQ(detail->events[1].type, "reclaimed");
  auto leased = await_completion<std::vector<LeasedMessage>>(
      [&](auto done) { (*store)->lease("w", clock.now(), 60s, 10, done); });
  ASSERT_TRUE(leased);
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].content, content);
  EXPECT_EQ((*leased)[0].envelope.recipients, both);
}

// Version 2 moved the content out of the messages row: a store written by
// version 1 keeps every message, readable and deliverable.
TEST(SqliteMigrations, Version1MessagesKeepTheirContent) {
  test::TempDir dir;
  write_old_store(dir.file("old.db"), 1,
                  "INSERT INTO messages(id, status, created_at, updated_at, window_start, "
                  "next_attempt_at, sender, "
                  "subject, tags, submitted_by, format, size, content) VALUES (42, 0, 0, 0, 0, 0, "
                  "'a@x.org', 's', "
                  "'', 'k', 1, 5, 'hello');");
  expect_message_42_after_migration(dir.file("old.db"), "hello", false);
}

// Version 4 moved the content reference into the messages row: a message
// written by version 3 (its reference in message_content) stays readable
// and leasable, and keeps its segment when unreferenced ones are removed.
TEST(SqliteMigrations, Version3MessagesKeepTheirContentInTheLog) {
  test::TempDir dir;
  const std::string hello = "hello from the log";
  write_old_store(
      dir.file("old.db"), 3,
      "INSERT INTO messages(id, status, created_at, updated_at, window_start, next_attempt_at, "
      "sender, "
      "subject, tags, submitted_by, format, size) VALUES (42, 0, 0, 0, 0, 0, 'a@x.org', 's', '', "
      "'k', "
      "1, 18);"
      "INSERT INTO message_content(message_id, content, log_segment, log_offset, log_length, "
      "log_crc32c) VALUES (42, x'', 1, 4, 18, " +
          std::to_string(crc32c(hello)) + ");");
  std::filesystem::create_directories(dir.file("old.db-content"));
  std::ofstream(dir.file("old.db-content/0000000001.seg")) << "xxxx" << hello;
  expect_message_42_after_migration(dir.file("old.db"), hello, true);
}

}  // namespace
}  // namespace postern::store
