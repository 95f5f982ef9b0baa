// What the PostgreSQL store and its parts (routing, webhooks, ...) share:
// writes queued on the Store's one group committer, run by a writer of the
// part's own on the writer connection inside the batch's transaction, and
// reads on a connection borrowed from the Store's reader pool.
#pragma once

#include <utility>

#include "store/group_commit.h"
#include "store/postgres/connection.h"
#include "store/postgres/reader_pool.h"
#include "store/store.h"

namespace postern::store::postgres {

// A part of the store beside the Store itself, whose writes are
// operations of `Writer`.
template <class Writer>
class StorePart {
 public:
  // All three outlive this object.
  StorePart(GroupCommitter& committer, Writer& writer, ReaderPool& readers)
      : committer_(committer), writer_(writer), readers_(readers) {}

 protected:
  // Queues op(writer), which answers Result<T>, as one write.
  template <class T, class Op>
  void write(Op op, Completion<T> done) {
    committer_.template submit<T>([w = &writer_, op = std::move(op)]() { return op(*w); },
                                  std::move(done));
  }
  template <class F>
  auto read(F f) {
    return read_pooled(readers_, std::move(f));
  }

 private:
  GroupCommitter& committer_;
  Writer& writer_;
  ReaderPool& readers_;
};

}  // namespace postern::store::postgres
