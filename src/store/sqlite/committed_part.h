// A part of the SQLite store beside the Store itself (its webhooks, ...):
// its writes are operations of its own writer, applied by the Store's
// group committer inside the gateway's transactions; its reads go to a
// pool of reader connections of its own.
#pragma once

#include <utility>

#include "store/group_commit.h"
#include "store/sqlite/reader_connection.h"
#include "store/store.h"

namespace postern::store::sqlite {

template <class Writer, class Reader>
class CommittedPart {
 public:
  // All three outlive this object; `committer` applies `writer`'s operations.
  // (Public so that a part can inherit it as its own.)
  CommittedPart(GroupCommitter& committer, Writer& writer, ConnectionPool<Reader>& readers)
      : committer_(committer), writer_(writer), readers_(readers) {}

 protected:
  // Queues op(writer), which answers Result<T>, as one write.
  template <class T, class Op>
  void write(Op op, Completion<T> done) {
    committer_.template submit<T>([w = &writer_, op = std::move(op)]() { return op(*w); },
                                  std::move(done));
  }
  // A reader connection until the lease goes.
  typename ConnectionPool<Reader>::Lease read() { return readers_.borrow(); }

 private:
  GroupCommitter& committer_;
  Writer& writer_;
  ConnectionPool<Reader>& readers_;
};

}  // namespace postern::store::sqlite
