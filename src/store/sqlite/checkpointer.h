// Moves WAL content into the database file on a connection and thread of its
// own, so that the writer never pays for a checkpoint inside a commit.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/database.h"

namespace postern::store::sqlite {

class Checkpointer {
 public:
  explicit Checkpointer(std::unique_ptr<Database> db);
  ~Checkpointer();
  // Asks for a checkpoint soon (called after commits that grew the WAL).
  void poke();

 private:
  void run();
  std::unique_ptr<Database> db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = false;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace postern::store::sqlite
