// Provider events and the suppression list on the SQLite store
// (SqliteStore::events()): writes go through the Store's group-commit
// writer, in the same transactions as the gateway's, reads to a pool of
// reader connections of their own.
#pragma once

#include "store/committed_event_store.h"
#include "store/sqlite/event_reader.h"
#include "store/sqlite/event_writer.h"

namespace postern::store::sqlite {

// A read on a reader borrowed from the pool for the call.
struct PooledEventReads {
  PooledEventReads(EventReaderPool& pool) : pool(pool) {}  // NOLINT: converts on purpose
  template <class F>
  auto read(F f) {
    return f(*pool.borrow().operator->());
  }
  EventReaderPool& pool;
};

using SqliteEventStore = CommittedEventStore<EventWriter, PooledEventReads>;

}  // namespace postern::store::sqlite
