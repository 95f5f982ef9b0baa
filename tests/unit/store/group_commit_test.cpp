#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/await_completion.h"

namespace postern::store {
namespace {

// A fake transaction log: writes land in `pending` and move to `durable` on
// commit, so the test sees exactly what a crash would keep.
struct FakeLog {
  std::vector<int> durable;
  std::vector<int> pending;
  int commits = 0;
  int fail_commits = 0;  // how many upcoming commits fail
  TransactionHooks hooks() {
    return {[this]() -> Result<void> {
              pending.clear();
              return {};
            },
            [this]() -> Result<void> {
              if (fail_commits > 0) {
                --fail_commits;
                return error_code(Errc::storage_full);
              }
              durable.insert(durable.end(), pending.begin(), pending.end());
              pending.clear();
              ++commits;
              return {};
            },
            [this]() { pending.clear(); }, nullptr};
  }
};

TEST(GroupCommit, CompletesOnlyAfterCommitAndBatchesConcurrentWrites) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), {}, metrics);
  constexpr int kWriters = 8, kEach = 500;
  std::atomic<int> completed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int v = t * kEach + i;
        auto r = test::await_completion<int>([&](auto done) {
          committer.submit<int>([&log, v]() -> Result<int> {
            log.pending.push_back(v);
            return v;
          }, done);
        });
        ASSERT_TRUE(r);
        EXPECT_EQ(*r, v);
        completed++;
      }
    });
  }
  for (auto& th : threads) th.join();
  committer.stop();
  EXPECT_EQ(completed.load(), kWriters * kEach);
  EXPECT_EQ(log.durable.size(), static_cast<std::size_t>(kWriters * kEach));
  EXPECT_LE(log.commits, kWriters * kEach);
}

TEST(GroupCommit, AFailedCommitIsRetriedOneByOneAndReportsTheError) {
  MetricsRegistry metrics;
  FakeLog log;
  log.fail_commits = 1 + 1;  // the batch and the first single retry fail
  GroupCommitter committer(log.hooks(), {}, metrics);
  auto r = test::await_completion<int>([&](auto done) {
    committer.submit<int>([&log]() -> Result<int> {
      log.pending.push_back(1);
      return 1;
    }, done);
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::storage_full);
  EXPECT_TRUE(log.durable.empty());
  // The store recovers by itself once commits succeed again.
  auto ok = test::await_completion<int>([&](auto done) {
    committer.submit<int>([&log]() -> Result<int> {
      log.pending.push_back(2);
      return 2;
    }, done);
  });
  ASSERT_TRUE(ok);
  EXPECT_EQ(log.durable, std::vector<int>{2});
}

TEST(GroupCommit, AnOperationsOwnErrorDoesNotAbortTheBatch) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), {}, metrics);
  auto r = test::await_completion<int>([&](auto done) {
    committer.submit<int>([]() -> Result<int> { return error_code(Errc::not_found); }, done);
  });
  EXPECT_EQ(r.error(), Errc::not_found);
}

TEST(GroupCommit, RefusesWritesAfterStop) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), {}, metrics);
  committer.stop();
  auto r = test::await_completion<int>([&](auto done) {
    committer.submit<int>([]() -> Result<int> { return 1; }, done);
  });
  EXPECT_EQ(r.error(), Errc::shutting_down);
}

}  // namespace
}  // namespace postern::store
