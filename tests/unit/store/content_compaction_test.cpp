// Compaction of the content log: live content moved out of sparse segments
// so that the disk follows what is still kept (content_compaction.h).
#include "store/sqlite/content_compaction.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using sqlite::ContentLog;
using test::await_completion;

constexpr std::uint64_t kSegment = 64 << 10;
constexpr std::size_t kBody = 4000;
constexpr int kPerSegment = 16;  // messages of kBody bytes that fill a segment, about
constexpr int kSegments = 8;

class ContentCompactionTest : public StoreFixture {
 protected:
  void SetUp() override { reopen(); }
  void reopen(double compact_below = 0.5) {
    sqlite::SqliteOptions options;
    options.segment_bytes = kSegment;
    options.compact_below = compact_below;
    open(options);
  }

  // A message whose content (distinct per n) is about kBody bytes.
  MessageId enqueue(int n) {
    NewMessage m;
    m.format = ContentFormat::mime;
    m.content = content(n);
    m.envelope.sender = "a@x.org";
    m.envelope.recipients = {{"b@x.org", RecipientKind::to}};
    auto r =
        await_completion<EnqueueResult>([&](auto done) { store_->enqueue(std::move(m), done); });
    EXPECT_TRUE(r) << r.error().message();
    return r ? r->id : MessageId();
  }
  static std::string content(int n) {
    return "Subject: m" + std::to_string(n) + "\r\n\r\n" +
           std::string(kBody, static_cast<char>('a' + n % 26)) + "\r\n";
  }

  // Fills kSegments segments; the first message of each stays queued (as a
  // long-deferred one would), the others are cancelled and purged.
  void fill_with_one_staying_per_segment(int first = 0) {
    for (int i = first; i < first + kSegments * kPerSegment; ++i) {
      auto id = enqueue(i);
      if (i % kPerSegment == 0) {
        staying_[id] = i;
      } else {
        ASSERT_TRUE(await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); }));
      }
    }
    auto purged = await_completion<std::size_t>(
        [&](auto done) { store_->purge_ended(clock_.now() + 1h, 100000, done); });
    ASSERT_TRUE(purged);
  }

  std::uint64_t disk() const {
    std::uint64_t total = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_.file("postern.db-content")))
      total += e.file_size();
    return total;
  }
  std::uint64_t live() const {
    std::uint64_t total = 0;
    for (auto [id, n] : staying_) total += content(n).size();
    return total;
  }
  std::uint64_t reclaim() {
    auto freed = store_->reclaim_content_space();
    EXPECT_TRUE(freed) << freed.error().message();
    return freed ? *freed : 0;
  }
  void expect_staying_read_back() {
    for (auto [id, n] : staying_) {
      auto c = store_->get_content(id);
      ASSERT_TRUE(c) << c.error().message();
      EXPECT_EQ(c->second, content(n));
    }
  }
  std::uint64_t counter(const std::string& name) { return metrics_.counter(name, "").value(); }

  std::map<MessageId, int> staying_;
};

TEST(SegmentsToCompact, OnlyClosedSegmentsWithSomeLiveContentBelowTheFraction) {
  std::map<std::uint32_t, std::uint64_t> sizes{{1, 1000}, {2, 1000}, {3, 1000}, {4, 1000}};
  std::map<std::uint32_t, std::uint64_t> live{{1, 499}, {2, 500}, {4, 0}, {9, 10}};
  EXPECT_EQ(sqlite::segments_to_compact(sizes, live, 0.5), (std::set<std::uint32_t>{1}));
  EXPECT_EQ(sqlite::segments_to_compact(sizes, live, 0.6), (std::set<std::uint32_t>{1, 2}));
  EXPECT_TRUE(sqlite::segments_to_compact(sizes, live, 0).empty());
}

TEST_F(ContentCompactionTest, MessagesThatStayNoLongerPinTheirSegments) {
  fill_with_one_staying_per_segment();
  ASSERT_GT(disk(), (kSegments - 1) * kSegment * 9 / 10);  // pinned before the reclaim
  EXPECT_GT(reclaim(), 0u);
  EXPECT_LE(disk(), 2 * live() + 2 * kSegment);
  EXPECT_GE(counter("postern_store_compacted_segments_total"), kSegments - 1);
  EXPECT_GE(counter("postern_store_compacted_bytes_total"), (kSegments - 1) * content(0).size());
  expect_staying_read_back();

  // And again after more traffic and a restart: the moved copies move on.
  reopen();
  fill_with_one_staying_per_segment(1000);
  reclaim();
  EXPECT_LE(disk(), 2 * live() + 2 * kSegment);
  expect_staying_read_back();
}

TEST_F(ContentCompactionTest, ACompactBelowOfZeroKeepsSparseSegments) {
  reopen(0);
  fill_with_one_staying_per_segment();
  reclaim();
  EXPECT_GT(disk(), (kSegments - 1) * kSegment * 9 / 10);
  EXPECT_EQ(counter("postern_store_compacted_segments_total"), 0u);
  expect_staying_read_back();
}

TEST_F(ContentCompactionTest, ALeasedMessageIsNotMovedUntilItsSendingEnds) {
  fill_with_one_staying_per_segment();
  auto leased = await_completion<std::vector<LeasedMessage>>(
      [&](auto done) { store_->lease("w1", clock_.now(), 60s, 1, done); });
  ASSERT_TRUE(leased);
  ASSERT_EQ(leased->size(), 1u);
  reclaim();
  // Its segment stays, the others' go.
  EXPECT_GT(disk(), kSegment * 9 / 10);
  EXPECT_LE(disk(), 2 * live() + 2 * kSegment);
  AttemptRecord deferred{leased->front().id,
                         MessageStatus::deferred,
                         clock_.now() + 60s,
                         "p",
                         "transient",
                         "451",
                         "",
                         "",
                         1ms};
  ASSERT_TRUE(
      await_completion<void>([&](auto done) { store_->record_attempt("w1", deferred, done); }));
  reclaim();
  EXPECT_GE(counter("postern_store_compacted_segments_total"), kSegments - 1u);
  EXPECT_LE(disk(), 2 * live() + 2 * kSegment);
  expect_staying_read_back();
}

// A crash at each step of a move (content_compaction.h), simulated by doing
// the step on the store's files with the store closed, stopping there, and
// opening the store again.
class CompactionCrashTest : public ContentCompactionTest {
 protected:
  // Steps 1 and 2 on the closed store's files; commits them if `commit`,
  // else stops before the commit (the copies written and synced).
  void move_and_stop(bool commit) {
    store_.reset();
    auto path = dir_.file("postern.db");
    auto db = sqlite::Database::open(path, false);
    ASSERT_TRUE(db);
    auto log = ContentLog::open(path + "-content", {.segment_bytes = kSegment});
    ASSERT_TRUE(log);
    auto live = sqlite::live_bytes_by_segment(**db);
    ASSERT_TRUE(live);
    auto targets = sqlite::segments_to_compact(
        (*log)->closed_segment_sizes((*log)->committed_floor()), *live, 0.5);
    // Opened alone, the log holds every segment closed, the last one too.
    ASSERT_EQ(targets.size(), static_cast<std::size_t>(kSegments));
    auto rows = sqlite::rows_in_segments(**db, targets);
    ASSERT_TRUE(rows);
    ASSERT_TRUE((*db)->exec("BEGIN IMMEDIATE"));
    auto moved = sqlite::move_content(**db, **log, *rows);
    ASSERT_TRUE(moved) << moved.error().message();
    EXPECT_EQ(moved->moved, targets.size());
    ASSERT_TRUE((*db)->exec(commit ? "COMMIT" : "ROLLBACK"));
  }
};

TEST_F(CompactionCrashTest, StoppedAfterTheCopiesNothingIsLostAndTheNextPassReclaims) {
  fill_with_one_staying_per_segment();
  auto before = disk();
  move_and_stop(false);
  reopen();
  expect_staying_read_back();
  // The copies that no row points at are the leak: what the move copied.
  EXPECT_LE(disk(), before + live());
  reclaim();
  expect_staying_read_back();
  EXPECT_LE(disk(), 2 * live() + 2 * kSegment);
}

TEST_F(CompactionCrashTest, StoppedAfterTheCommitTheRowsReadTheCopiesAndTheOldSegmentsGo) {
  fill_with_one_staying_per_segment();
  move_and_stop(true);
  reopen();
  expect_staying_read_back();
  EXPECT_GT(reclaim(), kSegments * kSegment * 9 / 10);
  EXPECT_EQ(counter("postern_store_compacted_segments_total"), 0u) << "nothing left to move";
  expect_staying_read_back();
  EXPECT_LE(disk(), 2 * live() + 2 * kSegment);
}

TEST_F(ContentCompactionTest, ReadersNeverSeeAMovedSegmentGone) {
  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, reads{0};
  std::mutex ids_mu;
  std::vector<MessageId> ids;
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      for (auto i = static_cast<std::size_t>(t); !done; ++i) {
        MessageId id;
        {
          std::lock_guard lock(ids_mu);
          if (ids.empty()) continue;
          id = ids[i % ids.size()];
        }
        auto c = store_->get_content(id);
        if (!c) ++failures;
        ++reads;
      }
    });
  }
  // Each round closes more segments and moves the messages that stay into
  // the current one, while the readers read them.
  for (int round = 0; round < 4; ++round) {
    fill_with_one_staying_per_segment(round * 1000);
    {
      std::lock_guard lock(ids_mu);
      ids.clear();
      for (auto [id, n] : staying_) ids.push_back(id);
    }
    reclaim();
  }
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(counter("postern_store_compacted_segments_total"), 4u * (kSegments - 2));
  expect_staying_read_back();
}

}  // namespace
}  // namespace postern::store
