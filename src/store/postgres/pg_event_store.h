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

// Reads on a pooled connection (reader_pool.h: tried again once on a lost
// connection).
using PgEventStore = CommittedEventStore<EventWriter, PgReads<EventReader>>;

}  // namespace postern::store::postgres
