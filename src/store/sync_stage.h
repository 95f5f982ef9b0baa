// The second stage of a pipelined group commit. A batch whose transaction is
// committed (visible to readers) but not yet durable waits here for one
// flush, which covers every batch committed before it started; meanwhile the
// writer already applies the next batch. The writes of a batch are answered
// only after a flush that covers it, so an answer still means "on disk".
#pragma once

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
  // Returns once no committed batch waits for a flush to start. The writer
  // calls it before taking its next batch, so that it runs at most one
  // commit ahead of the disk: while a flush runs, writes pile up into one
  // larger next batch instead of many small commits that would each rewrite
  // the same index pages.
  void wait_for_room();
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
  WriteBatch waiting_;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace postern::store
