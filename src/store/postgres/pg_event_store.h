// Provider events and the suppression list on the PostgreSQL store
// (PostgresStore::events()): writes go through the Store's group-commit
// writer, in the same transactions as the gateway's, reads to the Store's
// pool of reader connections. Every node on the database sees the same
// list and matches events to any node's messages.
#pragma once

#include "store/committed_event_store.h"
#include "store/postgres/event_reader.h"
#include "store/postgres/event_writer.h"
#include "store/postgres/reader_pool.h"

namespace postern::store::postgres {

// A read on a connection of the pool (reader_pool.h: tried again once on a
// lost connection).
struct PooledEventReads {
  PooledEventReads(ReaderPool& pool) : pool(pool) {}  // NOLINT: converts on purpose
  template <class F>
  auto read(F f) {
    return read_pooled(pool, [&](Connection& c) {
      EventReader reader(c);
      return f(reader);
    });
  }
  ReaderPool& pool;
};

using PgEventStore = CommittedEventStore<EventWriter, PooledEventReads>;

}  // namespace postern::store::postgres
