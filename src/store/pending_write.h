// One queued write of the group committer, with its result type erased, and
// a batch of them. Shared by the committer and its sync stage.
#pragma once

#include <deque>
#include <memory>

#include "core/error.h"

namespace postern::store {

struct PendingWrite {
  virtual ~PendingWrite() = default;
  // Runs the write inside the open transaction. Returns a storage failure
  // that must abort the transaction, or success (the write's own answer,
  // error or not, is kept for finish).
  virtual error_code apply() = 0;
  // Answers the writer: with the result of apply, or with `commit_error`.
  virtual void finish(error_code commit_error) = 0;
  // Answers a write that was never applied (queue full, shutting down).
  virtual void refuse(error_code why) = 0;
};

using WriteBatch = std::deque<std::unique_ptr<PendingWrite>>;

}  // namespace postern::store
