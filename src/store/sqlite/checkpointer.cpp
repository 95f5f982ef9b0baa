#include "store/sqlite/checkpointer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace postern::store::sqlite {
namespace {

// The checkpoint thread's nice value. Checkpoints are background work that
// can wait (the WAL grows meanwhile), while the threads an answer waits
// for (HTTP, the writer, the flushes) cannot: on a box whose cores are
// busy, a checkpoint then takes what they leave instead of delaying them.
constexpr int kCheckpointNice = 10;

}  // namespace

Checkpointer::Checkpointer(std::unique_ptr<Database> db, WalLimits limits, Counter& holds)
    : db_(std::move(db)), limits_(limits), holds_(holds) {
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  done_cv_.notify_all();
  thread_.join();
}

void Checkpointer::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_one();
}

void Checkpointer::committed(int wal_frames) {
  // Fewer frames than before: the WAL started over.
  if (wal_frames < wal_frames_) held_at_ = 0;
  wal_frames_ = wal_frames;
  if (wal_frames >= limits_.checkpoint_frames) poke();
}

void Checkpointer::hold_to_limit() {
  if (wal_frames_ - held_at_ < limits_.hold_frames) return;
  held_at_ = wal_frames_;
  holds_.inc();
  std::unique_lock lock(mu_);
  // The first checkpoint to begin from now on covers every commit so far.
  const auto covering = started_ + 1;
  poked_ = true;
  cv_.notify_one();
  done_cv_.wait_for(lock, limits_.longest_hold, [&] { return finished_ >= covering || stopping_; });
}

void Checkpointer::run() {
  pthread_setname_np(pthread_self(), "checkpoint");
  // Raising one's own nice value needs no privilege; a failure only leaves
  // the thread at the process's priority.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kCheckpointNice) != 0)
    spdlog::debug("store: checkpoint thread keeps its priority: {}", std::strerror(errno));
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return poked_ || stopping_; });
      if (stopping_) return;
      poked_ = false;
      ++started_;
    }
    // PASSIVE never blocks readers or the writer; frames it cannot copy yet
    // are taken on the next round.
    int log_frames = 0, done_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                       &log_frames, &done_frames);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("store: checkpoint failed: {}", db_->last_error());
    }
    if (done_frames > 0)
      spdlog::debug("store: checkpoint copied {} of {} WAL frames", done_frames, log_frames);
    {
      std::lock_guard lock(mu_);
      finished_ = started_;
    }
    done_cv_.notify_all();
  }
}

}  // namespace postern::store::sqlite
