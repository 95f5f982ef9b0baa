#include "store/sync_stage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A write that only counts its answer.
struct CountedWrite final : PendingWrite {
  explicit CountedWrite(std::atomic<int>& answered) : answered(answered) {}
  error_code apply() override { return {}; }
  void finish(error_code) override { ++answered; }
  void refuse(error_code) override { ++answered; }
  std::atomic<int>& answered;
};

WriteBatch one_write(std::atomic<int>& answered) {
  WriteBatch batch;
  batch.push_back(std::make_unique<CountedWrite>(answered));
  return batch;
}

// A disk whose flush takes kFlush and tells when each one starts.
constexpr auto kFlush = 40ms;
struct SlowDisk {
  std::atomic<int> started{0};
  Result<void> flush() {
    ++started;
    std::this_thread::sleep_for(kFlush);
    return {};
  }
};

// Generous: a loaded machine running ASan builds may be slow to schedule
// a thread (docs/testing.md). A wait for an event never needs it all.
constexpr auto kGenerous = 30s;

void wait_for(const std::atomic<int>& counter, int value) {
  auto give_up = Clock::now() + kGenerous;
  while (counter.load() < value && Clock::now() < give_up) std::this_thread::sleep_for(1ms);
  ASSERT_GE(counter.load(), value);
}

// No flush runs and no batch waits: nothing to wait for, and no flush
// whose end could release a wait (the bound is only a backstop).
TEST(SyncStage, WithoutAFlushRunningTheWriterGoesOnAtOnce) {
  SlowDisk disk;
  MetricsRegistry metrics;
  SyncStage stage([&] { return disk.flush(); }, "test", metrics);
  auto start = Clock::now();
  stage.wait_for_room(5ms);
  EXPECT_LT(Clock::now() - start, kGenerous);
  EXPECT_EQ(disk.started.load(), 0);
}

// The writer's next batch is taken late in a running flush (so that it
// carries the writes arriving meanwhile), once the stage has learnt how long
// flushes take, and at the latest when the flush ends.
TEST(SyncStage, TheWriterTakesItsNextBatchNearTheEndOfTheRunningFlush) {
  SlowDisk disk;
  MetricsRegistry metrics;
  std::atomic<int> answered{0};
  SyncStage stage([&] { return disk.flush(); }, "test", metrics);
  constexpr int kLearning = 24;  // the estimate settles on the flushes' length
  for (int i = 1; i <= kLearning; ++i) {
    stage.hand_over(one_write(answered));
    wait_for(answered, i);
  }
  // Taken before the hand-over, so before the flush starts: the lower
  // bound holds however late this thread runs.
  auto handed_over = Clock::now();
  stage.hand_over(one_write(answered));
  wait_for(disk.started, kLearning + 1);
  stage.wait_for_room(5ms);
  auto waited = Clock::now() - handed_over;
  EXPECT_GE(waited, kFlush / 2) << "took the batch early in the flush";
  EXPECT_LT(waited, kFlush + kGenerous) << "kept waiting after the flush ended";
  wait_for(answered, kLearning + 1);
}

}  // namespace
}  // namespace postern::store
