#include "store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "support/await_completion.h"
#include "support/captured_log.h"
#include "support/fake_clock.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;

// The writer's clock where the time of its log lines does not matter.
const SystemClock kClock;

// A fake transaction log: writes land in `pending` and move to `durable` on
// commit, so the test sees exactly what a crash would keep.
struct FakeLog {
  std::vector<int> durable;
  std::vector<int> pending;
  int commits = 0;
  int fail_commits = 0;           // how many upcoming commits fail
  std::atomic<bool> down{false};  // no transaction begins (the database is gone)
  TransactionHooks hooks() {
    return {[this]() -> Result<void> {
              if (down) return error_code(Errc::storage_unavailable);
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

// Writes `v` into the log's open transaction and waits for the answer;
// `on_answer` sees the answer first, on the thread that gives it.
template <class Log>
Result<int> write_value(
    GroupCommitter& committer, Log& log, int v, std::function<void(int)> on_answer = [](int) {}) {
  return test::await_completion<int>([&](auto done) {
    committer.submit<int>(
        [&log, v]() -> Result<int> {
          log.pending.push_back(v);
          return v;
        },
        [on_answer, v, done](Result<int> r) {
          on_answer(v);
          done(std::move(r));
        });
  });
}

// kWriters threads write kEach distinct values each, one at a time; returns
// how many were answered with success and their own value.
template <class Log>
int write_concurrently(
    GroupCommitter& committer, Log& log, int writers, int each,
    std::function<void(int)> on_answer = [](int) {}) {
  std::atomic<int> completed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        int v = t * each + i;
        auto r = write_value(committer, log, v, on_answer);
        if (r && *r == v) completed++;
      }
    });
  }
  for (auto& th : threads) th.join();
  return completed.load();
}

TEST(GroupCommit, CompletesOnlyAfterCommitAndBatchesConcurrentWrites) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  constexpr int kWriters = 8, kEach = 500;
  int completed = write_concurrently(committer, log, kWriters, kEach);
  committer.stop();
  EXPECT_EQ(completed, kWriters * kEach);
  EXPECT_EQ(log.durable.size(), static_cast<std::size_t>(kWriters * kEach));
  EXPECT_LE(log.commits, kWriters * kEach);
}

TEST(GroupCommit, AFailedCommitIsRetriedOneByOneAndReportsTheError) {
  MetricsRegistry metrics;
  FakeLog log;
  log.fail_commits = 1 + 1;  // the batch and the first single retry fail
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  auto r = write_value(committer, log, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::storage_full);
  EXPECT_TRUE(log.durable.empty());
  // The store recovers by itself once commits succeed again.
  auto ok = write_value(committer, log, 2);
  ASSERT_TRUE(ok);
  EXPECT_EQ(log.durable, std::vector<int>{2});
}

TEST(GroupCommit, ADatabaseThatCannotBeginIsLoggedOnceAPeriodAndItsReturnOnce) {
  test::CapturedLog captured;
  test::FakeClock clock;
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), {}, metrics, clock);
  const auto why = error_code(Errc::storage_unavailable).message();
  log.down = true;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(write_value(committer, log, i));
  clock.advance(9s);
  EXPECT_FALSE(write_value(committer, log, 5));
  EXPECT_EQ(captured.lines(),
            std::vector<std::string>{"warning store: cannot begin a transaction: " + why});

  clock.advance(1s);  // a period since the last line
  EXPECT_FALSE(write_value(committer, log, 6));
  EXPECT_FALSE(write_value(committer, log, 7));
  log.down = false;
  EXPECT_TRUE(write_value(committer, log, 8));
  EXPECT_TRUE(write_value(committer, log, 9));
  // The next outage is logged at its first failure again.
  log.down = true;
  EXPECT_FALSE(write_value(committer, log, 10));
  log.down = false;
  EXPECT_TRUE(write_value(committer, log, 11));
  committer.stop();
  EXPECT_EQ(captured.lines(), (std::vector<std::string>{
                                  "warning store: cannot begin a transaction: " + why,
                                  "warning store: cannot begin a transaction: " + why +
                                      " (5 more failed batches not logged)",
                                  "info store: writes resumed after 8 failed batches",
                                  "warning store: cannot begin a transaction: " + why,
                                  "info store: writes resumed after 1 failed batches",
                              }));
  EXPECT_EQ(log.durable, (std::vector<int>{8, 9, 11}));
}

TEST(GroupCommit, AnOperationsOwnErrorDoesNotAbortTheBatch) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  auto r = test::await_completion<int>([&](auto done) {
    committer.submit<int>([]() -> Result<int> { return error_code(Errc::not_found); }, done);
  });
  EXPECT_EQ(r.error(), Errc::not_found);
}

// A notice asked for after a commit runs after that commit's answers, once;
// commits that ask for none run none.
TEST(GroupCommit, ADurableNoticeRunsAfterTheAnswersOfTheCommitThatAskedForIt) {
  MetricsRegistry metrics;
  FakeLog log;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> heard;
  auto hear = [&](std::string what) {
    std::lock_guard lock(mu);
    heard.push_back(std::move(what));
    cv.notify_all();
  };
  std::atomic<bool> ask{false};
  auto hooks = log.hooks();
  hooks.take_durable_notice = [&]() -> std::function<void()> {
    if (!ask.exchange(false)) return nullptr;
    return [&] { hear("notice"); };
  };
  GroupCommitter committer(hooks, {}, metrics, kClock);
  ASSERT_TRUE(write_value(committer, log, 1, [&](int) { hear("answer 1"); }));
  ask = true;
  ASSERT_TRUE(write_value(committer, log, 2, [&](int) { hear("answer 2"); }));
  ASSERT_TRUE(write_value(committer, log, 3, [&](int) { hear("answer 3"); }));
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return heard.size() == 4; }));
  EXPECT_EQ(heard, (std::vector<std::string>{"answer 1", "answer 2", "notice", "answer 3"}));
}

// Holds the writer inside a write's apply until released, so that a test
// can queue behind it exactly what it wants the next transaction to find.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, open = false;
  void pass() {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  void wait_entered() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  // Submits a write that holds `committer`'s writer here; returns once it does.
  void hold(GroupCommitter& committer) {
    committer.submit<int>(
        [this]() -> Result<int> {
          pass();
          return 0;
        },
        [](Result<int>) {});
    wait_entered();
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

// Queues a backlog of `backlog` bulk writes while the writer is held, then
// one main-lane write; answers how many bulk writes had been answered when
// the main write was, and checks that every bulk write is answered, in order.
int bulk_answered_before_main(GroupCommitOptions options, int backlog,
                              std::function<void()> bulk_cost) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), std::move(options), metrics, kClock);
  Gate gate;
  gate.hold(committer);
  std::atomic<int> bulk_answered{0};
  std::vector<int> order;  // answers come on the writer thread, one at a time
  for (int v = 1; v <= backlog; ++v) {
    committer.submit<int>(
        [&log, v, &bulk_cost]() -> Result<int> {
          bulk_cost();
          log.pending.push_back(v);
          return v;
        },
        [&](Result<int> r) {
          EXPECT_TRUE(r);
          if (r) order.push_back(*r);
          bulk_answered++;
        },
        Lane::bulk);
  }
  int before_main = -1;
  std::promise<void> main_answered;
  committer.submit<int>([]() -> Result<int> { return -1; },
                        [&](Result<int> r) {
                          EXPECT_TRUE(r);
                          before_main = bulk_answered.load();
                          main_answered.set_value();
                        });
  gate.release();
  main_answered.get_future().wait();
  committer.stop();
  EXPECT_EQ(bulk_answered.load(), backlog);
  std::vector<int> expected(static_cast<std::size_t>(backlog));
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(order, expected);
  return before_main;
}

// The fairness of the lanes: a main-lane write issued after a deep bulk
// backlog is answered after the transaction it finds running (which takes
// one bulk write with no budget) and its own (one more), not after the backlog.
TEST(GroupCommit, AMainWriteIsNotQueuedBehindTheBulkLanesBacklog) {
  GroupCommitOptions options;
  options.bulk_budget = std::chrono::microseconds(0);
  EXPECT_LE(bulk_answered_before_main(options, 1000, [] {}), 2);
}

// With a time budget, each transaction takes the bulk writes that fit it:
// 250 µs writes and a 1 ms budget make at most 4 (5 with the one that
// crosses it) per transaction, two transactions before the main write is
// answered. A busy machine only makes fewer fit.
TEST(GroupCommit, TheBulkLanesShareOfATransactionIsBoundedByItsBudget) {
  GroupCommitOptions options;
  options.bulk_budget = std::chrono::milliseconds(1);
  auto spin = [] {
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(250);
    while (std::chrono::steady_clock::now() < until) {
    }
  };
  EXPECT_LE(bulk_answered_before_main(options, 200, spin), 2 * 5);
}

// While no main-lane write waits, the bulk lane goes on past bulk_budget
// (up to bulk_idle_budget): a burst of small writes shares one commit.
TEST(GroupCommit, WithNoMainWriteWaitingBulkWritesShareATransaction) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitOptions options;
  options.bulk_budget = std::chrono::microseconds(0);
  options.bulk_idle_budget = std::chrono::seconds(60);
  GroupCommitter committer(log.hooks(), options, metrics, kClock);
  Gate gate;
  gate.hold(committer);
  std::promise<void> all_answered;
  std::atomic<int> answered{0};
  for (int v = 1; v <= 10; ++v) {
    committer.submit<int>(
        [&log, v]() -> Result<int> {
          log.pending.push_back(v);
          return v;
        },
        [&](Result<int>) {
          if (++answered == 10) all_answered.set_value();
        },
        Lane::bulk);
  }
  gate.release();
  all_answered.get_future().wait();
  committer.stop();
  EXPECT_EQ(log.commits, 1);
  EXPECT_EQ(log.durable.size(), 10u);
}

// A failed transaction that held bulk writes retries them one by one too.
TEST(GroupCommit, BulkWritesOfAFailedTransactionAreRetriedOneByOne) {
  MetricsRegistry metrics;
  FakeLog log;
  log.fail_commits = 1;
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  auto r = test::await_completion<int>([&](auto done) {
    committer.submit<int>(
        [&log]() -> Result<int> {
          log.pending.push_back(7);
          return 7;
        },
        done, Lane::bulk);
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(log.durable, std::vector<int>{7});
}

// A log whose commits are visible at once and durable only after a flush,
// like SQLite's WAL with synchronous=NORMAL; commit and flush run on
// different threads.
struct PipelinedLog {
  std::mutex mu;
  std::vector<int> pending;  // writer thread only
  std::vector<int> committed, durable;
  int flushes = 0;
  int fail_flushes = 0;
  TransactionHooks hooks() {
    TransactionHooks h{[this]() -> Result<void> {
                         pending.clear();
                         return {};
                       },
                       [this]() -> Result<void> {
                         std::lock_guard lock(mu);
                         committed.insert(committed.end(), pending.begin(), pending.end());
                         pending.clear();
                         return {};
                       },
                       [this]() { pending.clear(); }, nullptr, nullptr};
    h.flush = [this]() -> Result<void> {
      std::lock_guard lock(mu);
      ++flushes;
      if (fail_flushes > 0) {
        --fail_flushes;
        return error_code(Errc::storage_unavailable);
      }
      durable.insert(durable.end(), committed.begin(), committed.end());
      committed.clear();
      return {};
    };
    return h;
  }
  bool is_durable(int v) {
    std::lock_guard lock(mu);
    return std::find(durable.begin(), durable.end(), v) != durable.end();
  }
};

TEST(GroupCommit, WithASyncStageAWriteCompletesOnlyAfterTheFlushThatCoversIt) {
  MetricsRegistry metrics;
  PipelinedLog log;
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  constexpr int kWriters = 8, kEach = 300;
  std::atomic<int> early{0};
  int completed = write_concurrently(committer, log, kWriters, kEach, [&](int v) {
    if (!log.is_durable(v)) early++;
  });
  committer.stop();
  EXPECT_EQ(completed, kWriters * kEach);
  EXPECT_EQ(early.load(), 0) << "answered before the flush that made them durable";
  std::set<int> all(log.durable.begin(), log.durable.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kWriters * kEach));
  EXPECT_EQ(log.durable.size(), all.size());
  // One flush covers several concurrent writers' batches.
  EXPECT_LT(log.flushes, kWriters * kEach);
  EXPECT_EQ(metrics.render().find("postern_store_fsync_seconds_count{store=\"store\"} 0"),
            std::string::npos);
}

TEST(GroupCommit, AFailedFlushAnswersTheWritesItCoveredWithAnError) {
  MetricsRegistry metrics;
  PipelinedLog log;
  log.fail_flushes = 1;
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  auto failed = write_value(committer, log, 1);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), Errc::storage_unavailable);
  auto ok = write_value(committer, log, 2);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(log.is_durable(2));
}

TEST(GroupCommit, StopAnswersWhatWaitsForTheFlush) {
  MetricsRegistry metrics;
  PipelinedLog log;
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  std::atomic<int> answered{0};
  for (int v = 0; v < 100; ++v) {
    committer.submit<int>(
        [&log, v]() -> Result<int> {
          log.pending.push_back(v);
          return v;
        },
        [&](Result<int> r) { answered += r ? 1 : 0; });
  }
  committer.stop();
  EXPECT_EQ(answered.load(), 100);
  EXPECT_EQ(log.durable.size(), 100u);
}

TEST(GroupCommit, RefusesWritesAfterStop) {
  MetricsRegistry metrics;
  FakeLog log;
  GroupCommitter committer(log.hooks(), {}, metrics, kClock);
  committer.stop();
  auto r = test::await_completion<int>(
      [&](auto done) { committer.submit<int>([]() -> Result<int> { return 1; }, done); });
  EXPECT_EQ(r.error(), Errc::shutting_down);
}

}  // namespace
}  // namespace postern::store
