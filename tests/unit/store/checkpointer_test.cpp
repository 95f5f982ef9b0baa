#include "store/sqlite/checkpointer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "core/metrics.h"
#include "support/temp_dir.h"

namespace postern::store::sqlite {
namespace {

using namespace std::chrono_literals;

// A writer connection whose commits report to a Checkpointer, as the
// store's WAL hook does, and which holds between transactions as the
// store's writer does.
class CheckpointerTest : public ::testing::Test {
 protected:
  void start(WalLimits limits) {
    auto writer = Database::open(dir_.file("wal.db"), true);
    ASSERT_TRUE(writer);
    writer_ = std::move(*writer);
    ASSERT_TRUE(writer_->exec("PRAGMA journal_mode = WAL"));
    ASSERT_TRUE(writer_->exec("PRAGMA wal_autocheckpoint = 0"));
    ASSERT_TRUE(writer_->exec("CREATE TABLE t (v BLOB NOT NULL)"));
    auto own = Database::open(dir_.file("wal.db"), false);
    ASSERT_TRUE(own);
    ASSERT_TRUE((*own)->exec("PRAGMA journal_mode = WAL"));
    checkpointer_ = std::make_unique<Checkpointer>(std::move(*own), limits, holds_);
    sqlite3_wal_hook(writer_->handle(), &CheckpointerTest::hook, this);
  }
  void TearDown() override {
    if (writer_) sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
    checkpointer_.reset();
  }
  // Commits a row of about five pages, then holds if the WAL asks it.
  void commit_row() {
    ASSERT_TRUE(writer_->exec("INSERT INTO t(v) VALUES (zeroblob(20000))"));
    checkpointer_->hold_to_limit();
  }
  static int hook(void* self, sqlite3*, const char*, int frames) {
    auto* test = static_cast<CheckpointerTest*>(self);
    test->frames_ = frames;
    test->checkpointer_->committed(frames);
    return SQLITE_OK;
  }

  test::TempDir dir_;
  MetricsRegistry metrics_;
  Counter& holds_ = metrics_.counter("holds", "writer holds");
  std::unique_ptr<Database> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;
  int frames_ = 0;  // the WAL's frames after the last commit
};

TEST_F(CheckpointerTest, AWriterPastTheLimitWaitsAndTheWalStartsOver) {
  // No checkpoint is asked for below the hold: only the hold can copy.
  start({.checkpoint_frames = 1'000'000, .hold_frames = 40, .longest_hold = 10s});
  int most = 0;
  for (int i = 0; i < 30; ++i) {
    commit_row();
    most = std::max(most, frames_);
  }
  EXPECT_GE(holds_.value(), 2u);
  // Each hold let the WAL start over: it never grew much past the limit.
  EXPECT_LT(most, 40 + 10);
  EXPECT_LT(frames_, 40 + 10);
}

TEST_F(CheckpointerTest, AWriterBelowTheLimitNeverWaits) {
  start({.checkpoint_frames = 1'000'000, .hold_frames = 1'000, .longest_hold = 10s});
  for (int i = 0; i < 30; ++i) commit_row();
  EXPECT_EQ(holds_.value(), 0u);
  EXPECT_GE(frames_, 30 * 5);  // nothing copied it: the WAL only grew
}

}  // namespace
}  // namespace postern::store::sqlite
