// Makes SQLite's write-ahead log durable from outside SQLite, for the
// pipelined group commit. The writer connection runs with synchronous=NORMAL,
// so COMMIT appends its WAL frames without an fsync; flush() then fdatasyncs
// the WAL file through a descriptor of its own. An fdatasync covers every
// byte written to the file before it, whichever descriptor wrote it, so one
// flush makes all commits before it exactly as durable as synchronous=FULL
// would have (FULL is NORMAL plus that one WAL sync after each commit).
// Checkpoints keep NORMAL's own syncs: the WAL before, the database after.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/error.h"

namespace postern::store::sqlite {

class WalSync {
 public:
  explicit WalSync(std::string database_path);
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

  // Errors: storage_full (ENOSPC, EDQUOT), storage_unavailable.
  Result<void> flush();

 private:
  // (Re)opens the WAL when the path names another file than the one held
  // (first call, or SQLite deleted and recreated it), and syncs its
  // directory once so that the file's name is as durable as its content.
  Result<void> open_current();

  std::string wal_path_;
  std::string directory_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

}  // namespace postern::store::sqlite
