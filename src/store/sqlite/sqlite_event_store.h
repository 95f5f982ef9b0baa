// Provider events and the suppression list on the SQLite store
// (SqliteStore::events()): writes go through the Store's group-commit
// writer, in the same transactions as the gateway's, reads to a pool of
// reader connections of their own.
#pragma once

#include "store/committed_event_store.h"
#include "store/committed_part.h"
#include "store/sqlite/event_reader.h"
#include "store/sqlite/event_writer.h"

namespace postern::store::sqlite {

using SqliteEventStore = CommittedEventStore<EventWriter, PooledReads<EventReader>>;

}  // namespace postern::store::sqlite
