// The test inbox's storage on the SQLite store (SqliteStore::inbox()): its
// writes go through the Store's group-commit writer, in the same
// transactions as the gateway's, and its reads to a pool of reader
// connections of its own.
#pragma once

#include <memory>
#include <set>

#include "store/group_commit.h"
#include "store/inbox_store_calls.h"
#include "store/sqlite/inbox_reader.h"
#include "store/sqlite/inbox_writer.h"
#include "store/sqlite/reader_connection.h"

namespace postern::store::sqlite {

using InboxReaderPool = ConnectionPool<InboxReader>;

class SqliteInboxStore final : public InboxStoreCalls<SqliteInboxStore> {
 public:
  // All three outlive this object; `committer` applies `writer`'s operations.
  SqliteInboxStore(GroupCommitter& committer, InboxWriter& writer, InboxReaderPool& readers)
      : committer_(committer), writer_(writer), readers_(readers) {}

  // Every content segment a blob lies in (SqliteStore::reclaim_content_space).
  Result<std::set<std::uint32_t>> referenced_content_segments() {
    return readers_.borrow()->referenced_content_segments();
  }

 private:
  friend class InboxStoreCalls<SqliteInboxStore>;

  // Queues `op` (a call of the writer answering Result<T>) to run
  // atomically, in a savepoint of its own (inbox_writer.h).
  template <class T, class Op>
  void submit_write(Op op, Completion<T> done) {
    committer_.submit<T>(
        [w = &writer_, op = std::move(op)]() { return w->atomically<T>([&] { return op(*w); }); },
        std::move(done));
  }

  template <class F>
  auto run_read(F f) {
    auto reader = readers_.borrow();
    return f(*reader.operator->());
  }

  GroupCommitter& committer_;
  InboxWriter& writer_;
  InboxReaderPool& readers_;
};

}  // namespace postern::store::sqlite
