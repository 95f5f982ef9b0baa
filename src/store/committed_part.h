// A part of a store beside the Store itself (its webhooks, ...), on either
// backend: its writes are operations of its own writer, applied by the
// Store's group committer inside the gateway's transactions; its reads go
// through `Reads`, which lends a reader for one call: reads(f) answers
// f(reader).
#pragma once

#include <utility>

#include "store/connection_pool.h"
#include "store/group_commit.h"
#include "store/store.h"

namespace postern::store {

template <class Writer, class Reads>
class CommittedPart {
 public:
  // `committer` and `writer` outlive this object; `committer` applies
  // `writer`'s operations. (Public so that a part can inherit it as its own.)
  CommittedPart(GroupCommitter& committer, Writer& writer, Reads reads)
      : committer_(committer), writer_(writer), reads_(std::move(reads)) {}

 protected:
  // Queues op(writer), which answers Result<T>, as one write.
  template <class T, class Op>
  void write(Op op, Completion<T> done) {
    committer_.template submit<T>([w = &writer_, op = std::move(op)]() { return op(*w); },
                                  std::move(done));
  }
  // f(reader) on a reader lent for the call.
  template <class F>
  auto read(F f) {
    return reads_(std::move(f));
  }

 private:
  GroupCommitter& committer_;
  Writer& writer_;
  Reads reads_;
};

// Reads on a reader of a pool of them (which outlives this), one per call.
template <class Reader>
struct PooledReads {
  ConnectionPool<Reader>& pool;

  template <class F>
  auto operator()(F f) {
    auto lease = pool.borrow();
    return f(*lease.operator->());
  }
};

}  // namespace postern::store
