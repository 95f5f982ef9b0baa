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

Checkpointer::Checkpointer(std::unique_ptr<Database> db) : db_(std::move(db)) {
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Checkpointer::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_one();
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
  }
}

}  // namespace postern::store::sqlite
