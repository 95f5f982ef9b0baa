#include "store/sync_stage.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/moving_average.h"

namespace postern::store {

SyncStage::SyncStage(std::function<Result<void>()> flush, const std::string& name,
                     MetricsRegistry& metrics)
    : flush_(std::move(flush)),
      flush_seconds_(metrics.histogram("postern_store_fsync_seconds",
                                       "Time of one fsync that makes committed batches durable",
                                       latency_buckets_seconds(), {{"store", name}})),
      writes_per_flush_(metrics.histogram("postern_store_fsync_batch_size",
                                          "Writes made durable by one fsync", size_buckets(),
                                          {{"store", name}})) {
  thread_ = std::thread([this, name] {
    pthread_setname_np(pthread_self(), (name.substr(0, 10) + "-sync").c_str());
    run();
  });
}

SyncStage::~SyncStage() { stop(); }

void SyncStage::hand_over(WriteBatch batch) {
  if (batch.empty()) return;
  bool was_empty = false;
  {
    std::lock_guard lock(mu_);
    was_empty = waiting_.empty();
    for (auto& write : batch) waiting_.push_back(std::move(write));
  }
  // A busy stage takes the new batch with its next flush without a wake-up.
  if (was_empty) cv_.notify_one();
}

void SyncStage::wait_for_room(std::chrono::nanoseconds commit) {
  std::unique_lock lock(mu_);
  room_cv_.wait(lock, [&] { return waiting_.empty() || stopping_; });
  if (!flushing_) return;
  auto take_at = flush_started_ + flush_estimate_ - commit;
  room_cv_.wait_until(lock, take_at, [&] { return !flushing_ || stopping_; });
}

void SyncStage::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  room_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyncStage::run() {
  WriteBatch covered;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !waiting_.empty() || stopping_; });
      if (waiting_.empty()) return;  // stopping and drained
      covered.swap(waiting_);
      flushing_ = true;
      flush_started_ = std::chrono::steady_clock::now();
    }
    room_cv_.notify_one();
    // Everything in `covered` was committed before this call, so this one
    // flush makes all of it durable.
    auto flushed = flush_();
    std::chrono::nanoseconds took{};
    {
      std::lock_guard lock(mu_);
      flushing_ = false;
      took = std::chrono::steady_clock::now() - flush_started_;
      track_average(flush_estimate_, took);
    }
    room_cv_.notify_one();
    flush_seconds_.observe(std::chrono::duration<double>(took).count());
    writes_per_flush_.observe(static_cast<double>(covered.size()));
    error_code ec;
    if (!flushed) {
      // The commits are visible but may not survive a power cut: their
      // writers hear of a failure (a retried message may then be stored twice).
      ec = flushed.error();
      spdlog::error("store: fsync failed, {} writes answered with an error: {}", covered.size(),
                    ec.message());
    }
    for (auto& write : covered) write->finish(ec);
    covered.clear();
  }
}

}  // namespace postern::store
