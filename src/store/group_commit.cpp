#include "store/group_commit.h"

#include <pthread.h>

#include <chrono>

#include "core/moving_average.h"

namespace postern::store {

bool is_storage_failure(const error_code& ec) {
  return ec == Errc::storage_full || ec == Errc::storage_unavailable || ec == Errc::corrupt ||
         ec == Errc::internal;
}

namespace {

// Not a write: a callable that runs once the batch it ends is durable.
struct DurableNotice final : PendingWrite {
  explicit DurableNotice(std::function<void()> fn) : notify(std::move(fn)) {}
  error_code apply() override { return {}; }
  void finish(error_code commit_error) override {
    if (!commit_error) notify();
  }
  void refuse(error_code) override {}
  std::function<void()> notify;
};

}  // namespace

GroupCommitter::GroupCommitter(TransactionHooks hooks, GroupCommitOptions options,
                               MetricsRegistry& metrics, const Clock& clock)
    : hooks_(std::move(hooks)),
      options_(std::move(options)),
      batch_size_(metrics.histogram("postern_store_commit_batch_size",
                                    "Operations per group commit", size_buckets(),
                                    {{"store", options_.name}})),
      commit_seconds_(
          metrics.histogram("postern_store_commit_seconds",
                            "Time to commit a batch (with its fsync unless a sync stage "
                            "runs it: see postern_store_fsync_seconds)",
                            latency_buckets_seconds(), {{"store", options_.name}})),
      transaction_seconds_(metrics.histogram(
          "postern_store_transaction_seconds",
          "Time the writer spends on one batch: applying its writes and committing",
          latency_buckets_seconds(), {{"store", options_.name}})),
      commit_failures_(metrics.counter("postern_store_commit_failures_total",
                                       "Group commits that failed and were retried one by one",
                                       {{"store", options_.name}})),
      outage_(clock) {
  if (hooks_.flush) sync_ = std::make_unique<SyncStage>(hooks_.flush, options_.name, metrics);
  thread_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The writer has handed over its last batch: flush it and answer.
  if (sync_) sync_->stop();
}

std::size_t GroupCommitter::queue_depth() const {
  std::lock_guard lock(mu_);
  return queue_.size() + bulk_.size();
}

void GroupCommitter::enqueue(std::unique_ptr<PendingWrite> op, Lane lane) {
  error_code refused;
  bool was_empty = false;
  {
    std::lock_guard lock(mu_);
    auto& queue = lane == Lane::bulk ? bulk_ : queue_;
    if (stopping_) {
      refused = Errc::shutting_down;
    } else if (queue.size() >= options_.max_queue) {
      refused = Errc::overloaded;
    } else {
      was_empty = queue_.empty() && bulk_.empty();
      queue.push_back(std::move(op));
    }
  }
  if (refused) {
    op->refuse(refused);
    return;
  }
  // The writer only sleeps on an empty queue; a busy writer picks new work
  // up after its current commit without being woken.
  if (was_empty) cv_.notify_one();
}

void GroupCommitter::run() {
  pthread_setname_np(pthread_self(), (options_.name.substr(0, 9) + "-commit").c_str());
  WriteBatch batch;
  for (;;) {
    if (sync_) sync_->wait_for_room(commit_estimate_);
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || !bulk_.empty() || stopping_; });
      if (queue_.empty() && bulk_.empty()) return;  // stopping and drained
      auto n = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto start = std::chrono::steady_clock::now();
    if (!apply_batch(batch)) {
      commit_failures_.inc();
      apply_one_by_one(batch);
    }
    batch.clear();
    std::chrono::nanoseconds took = std::chrono::steady_clock::now() - start;
    transaction_seconds_.observe(std::chrono::duration<double>(took).count());
    track_average(commit_estimate_, took);
  }
}

std::unique_ptr<PendingWrite> GroupCommitter::take_bulk(bool unless_main_waits) {
  std::lock_guard lock(mu_);
  if (bulk_.empty() || (unless_main_waits && !queue_.empty())) return nullptr;
  auto op = std::move(bulk_.front());
  bulk_.pop_front();
  return op;
}

bool GroupCommitter::apply_batch(WriteBatch& batch) {
  if (auto r = hooks_.begin(); !r) {
    outage_.failed(r.error());
    for (auto& op : batch) op->finish(r.error());
    batch.clear();
    return true;
  }
  for (auto& op : batch) {
    if (auto ec = op->apply()) {
      hooks_.rollback();
      return false;
    }
  }
  // The bulk lane's share: taken one write at a time, so that what it
  // leaves stays queued for the next transaction.
  const auto bulk_start = std::chrono::steady_clock::now();
  for (std::size_t taken = 0; taken < options_.max_batch; ++taken) {
    const auto spent = std::chrono::steady_clock::now() - bulk_start;
    if (taken > 0 && spent >= options_.bulk_idle_budget) break;
    auto op = take_bulk(taken > 0 && spent >= options_.bulk_budget);
    if (!op) break;
    batch.push_back(std::move(op));
    if (auto ec = batch.back()->apply()) {
      hooks_.rollback();
      return false;
    }
  }
  batch_size_.observe(static_cast<double>(batch.size()));
  auto start = std::chrono::steady_clock::now();
  auto committed = hooks_.commit();
  commit_seconds_.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!committed) {
    hooks_.rollback();
    return false;
  }
  outage_.committed();
  add_durable_notice(batch);
  complete(batch);
  if (hooks_.after_commit) hooks_.after_commit();
  return true;
}

void GroupCommitter::complete(WriteBatch& committed) {
  if (sync_) {
    sync_->hand_over(std::move(committed));
  } else {
    for (auto& op : committed) op->finish({});
  }
  committed.clear();
}

void GroupCommitter::add_durable_notice(WriteBatch& committed) {
  if (!hooks_.take_durable_notice) return;
  if (auto notify = hooks_.take_durable_notice())
    committed.push_back(std::make_unique<DurableNotice>(std::move(notify)));
}

// A batch that failed is retried one operation per transaction, so one bad
// write (or a disk that filled up mid-batch) fails only the writes it must.
void GroupCommitter::apply_one_by_one(WriteBatch& batch) {
  WriteBatch committed;
  for (auto& op : batch) {
    error_code ec;
    if (auto r = hooks_.begin(); !r) {
      ec = r.error();
    } else if ((ec = op->apply())) {
      hooks_.rollback();
    } else if (auto c = hooks_.commit(); !c) {
      ec = c.error();
      hooks_.rollback();
    }
    if (ec) {
      op->finish(ec);
    } else {
      outage_.committed();
      committed.push_back(std::move(op));
      add_durable_notice(committed);
    }
  }
  complete(committed);
  if (hooks_.after_commit) hooks_.after_commit();
}

}  // namespace postern::store
