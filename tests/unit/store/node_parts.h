// The stores beside the Store (routing, webhooks) of a store a test opened
// on either backend. (Until PostgresStore is a NodeStore: then a cast to
// NodeStore will do.)
#pragma once

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store_fixture.h"

namespace postern::store {

inline RoutingStore& routing_of(Store& s, Backend b) {
  if (b == Backend::sqlite) return static_cast<sqlite::SqliteStore&>(s).routing();
  return static_cast<postgres::PostgresStore&>(s).routing();
}

inline EventStore& events_of(Store& s, Backend b) {
  if (b == Backend::sqlite) return static_cast<sqlite::SqliteStore&>(s).events();
  return static_cast<postgres::PostgresStore&>(s).events();
}

inline WebhookStore& webhooks_of(Store& s, Backend b) {
  if (b == Backend::sqlite) return static_cast<sqlite::SqliteStore&>(s).webhooks();
  return static_cast<postgres::PostgresStore&>(s).webhooks();
}

// Another node on the test's PostgreSQL database.
inline std::unique_ptr<postgres::PostgresStore> open_pg_node(test::PgServer& pg,
                                                             const std::string& database,
                                                             const Clock& clock,
                                                             MetricsRegistry& metrics) {
  auto s = postgres::PostgresStore::open({pg.conninfo(database)}, clock, metrics);
  EXPECT_TRUE(s) << s.error().message();
  return s ? std::move(*s) : nullptr;
}

}  // namespace postern::store
