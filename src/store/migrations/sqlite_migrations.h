// Versioned schema of the SQLite store. Each migration runs once, in order,
// inside a transaction, and records its version in schema_migrations.
#pragma once

#include "core/error.h"

namespace postern::store::sqlite {
class Database;
}

namespace postern::store::migrations {

// The version the code expects after migrate().
int sqlite_schema_version();

// Applies the migrations the database has not seen, up to `target` (tests
// build an older schema with it). A database newer than the code fails
// with Errc::conflict rather than being touched.
Result<void> migrate_sqlite(sqlite::Database& db, int target = sqlite_schema_version());

}  // namespace postern::store::migrations
