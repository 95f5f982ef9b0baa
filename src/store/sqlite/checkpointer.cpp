#include "store/sqlite/checkpointer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>

namespace postern::store::sqlite {

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
