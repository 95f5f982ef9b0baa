// The stores beside the Store (routing, events, webhooks) of a store a test
// opened on either backend: both are NodeStores.
#pragma once

#include "store/node_store.h"
#include "store/postgres/postgres_store.h"
#include "store_fixture.h"

namespace postern::store {

inline RoutingStore& routing_of(Store& s, Backend) { return static_cast<NodeStore&>(s).routing(); }

inline EventStore& events_of(Store& s, Backend) { return static_cast<NodeStore&>(s).events(); }

inline WebhookStore& webhooks_of(Store& s, Backend) {
  return static_cast<NodeStore&>(s).webhooks();
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
