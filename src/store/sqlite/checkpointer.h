// Moves WAL content into the database file on a connection and thread of its
// own, so that the writer never pays for a checkpoint inside a commit.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "core/metrics.h"
#include "store/sqlite/database.h"

namespace postern::store::sqlite {

// The WAL's frame counts that steer it.
struct WalLimits {
  int checkpoint_frames = 2048;  // a checkpoint is asked for from here (~8 MiB)
  // From here the writer waits for a checkpoint (~64 MiB, journal_size_limit):
  // see hold_to_limit.
  int hold_frames = 16384;
  std::chrono::milliseconds longest_hold{1000};
};

class Checkpointer {
 public:
  // `holds` counts the writer's waits (hold_to_limit).
  Checkpointer(std::unique_ptr<Database> db, WalLimits limits, Counter& holds);
  ~Checkpointer();
  // Asks for a checkpoint soon.
  void poke();
  // The writer's thread, after each commit that grew the WAL (its WAL hook):
  // how many frames the WAL holds.
  void committed(int wal_frames);
  // The writer's thread, between transactions. A passive checkpoint never
  // catches up with a writer that appends faster than it copies, and the
  // WAL starts over only once one did: under a flood of writes (webhook
  // batches as fast as they are answered) it grew to 1.1 GiB in 8 s, and
  // the checkpoint that finally caught up stalled the next writes for a
  // third of a second. So once the WAL has grown by `hold_frames` since
  // it last started over or was held, the writer waits (at most
  // `longest_hold`) for a checkpoint that covers everything it committed;
  // its next transaction then starts the WAL over.
  void hold_to_limit();

 private:
  void run();
  std::unique_ptr<Database> db_;
  WalLimits limits_;
  Counter& holds_;
  int wal_frames_ = 0;  // writer thread only: the WAL's frames at the last commit
  int held_at_ = 0;     // writer thread only: the frames when last held
  std::mutex mu_;
  std::condition_variable cv_;       // the thread: poked, or stopping
  std::condition_variable done_cv_;  // the writer: a checkpoint ended
  bool poked_ = false;               // guarded by mu_
  bool stopping_ = false;            // guarded by mu_
  std::uint64_t started_ = 0;        // guarded by mu_: checkpoints begun
  std::uint64_t finished_ = 0;       // guarded by mu_: checkpoints ended
  std::thread thread_;
};

}  // namespace postern::store::sqlite
