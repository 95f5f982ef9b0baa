// The second stage of a pipelined group commit. A batch whose transaction is
// committed (visible to readers) but not yet durable waits here for one
// flush, which covers every batch committed before it started; meanwhile the
// writer already applies the next batch. The writes of a batch are answered
// only after a flush that covers it, so an answer still means "on disk".
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/metrics.h"
#include "store/pending_write.h"

namespace postern::store {

class SyncStage {
 public:
  // `flush` makes every commit made before the call durable (an fsync).
  SyncStage(std::function<Result<void>()> flush, const std::string& name, MetricsRegistry& metrics);
  ~SyncStage();
  SyncStage(const SyncStage&) = delete;
  SyncStage& operator=(const SyncStage&) = delete;

  // Takes a committed batch; its writes are finished after the next flush.
  void hand_over(WriteBatch batch);
  // Returns when the writer should take its next batch: once no committed
  // batch waits for a flush to start, and, while a flush runs, not before
  // `commit` (the writer's estimate of its next commit) ahead of the
  // flush's expected end (or at its end, if sooner).
  //
  // Why: the writer runs at most one commit ahead of the disk, so while a
  // flush runs, writes pile up into one larger next batch instead of many
  // small commits that would each rewrite the same index pages. Taken at
  // the start of the flush, that batch would miss everything arriving
  // during it and wait a whole flush for the next one; taken just in time
  // to be committed when the flush ends, it carries those writes too, and
  // a write waits one and a half flushes on average instead of two and a
  // half.
  void wait_for_room(std::chrono::nanoseconds commit);
  // Flushes and answers what was handed over, then joins the thread.
  void stop();

 private:
  void run();

  std::function<Result<void>()> flush_;
  Histogram& flush_seconds_;
  Histogram& writes_per_flush_;
  std::mutex mu_;
  std::condition_variable cv_;       // the stage: work arrived, or stop
  std::condition_variable room_cv_;  // the writer: waiting_ was taken
  WriteBatch waiting_;               // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  // Guarded by mu_: whether a flush runs, since when, and how long flushes
  // take (a moving average).
  bool flushing_ = false;
  std::chrono::steady_clock::time_point flush_started_;
  std::chrono::nanoseconds flush_estimate_{0};
  std::thread thread_;
};

}  // namespace postern::store
