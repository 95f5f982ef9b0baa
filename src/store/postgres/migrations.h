// Schema migrations of the PostgreSQL store: numbered like the SQLite
// store's (store/migrations/sqlite_migrations.h), each applied once and
// recorded in schema_migrations, with the same intent in PostgreSQL's types
// (timestamptz, bytea, identity columns). The two lists are numbered apart:
// version N here is not SQLite's version N.
//
// Safe when several nodes start at once: each takes a session advisory
// lock (pg_advisory_lock) before reading the version, so one migrates and
// the others wait, then find nothing left to do.
#pragma once

#include <limits>

#include "core/error.h"
#include "store/postgres/connection.h"

namespace postern::store::postgres {

int postgres_schema_version();
// How many migrations there are: fewer than the version while numbers
// taken by work in progress elsewhere are missing from this build.
int postgres_migration_count();

// Brings the database to `target` (tests stop at older versions). conflict
// when the database was written by a newer version.
Result<void> migrate_postgres(Connection& c, int target = std::numeric_limits<int>::max());

}  // namespace postern::store::postgres
