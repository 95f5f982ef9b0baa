#include "store/open_store.h"

#include "store/postgres/conninfo.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace postern::store {

Result<std::unique_ptr<NodeStore>> open_node_store(const StoreConfig& config, const Clock& clock,
                                                   MetricsRegistry& metrics) {
  if (config.on_postgres()) {
    auto opened = postgres::PostgresStore::open(config.postgres, clock, metrics);
    if (!opened) return opened.error();
    return std::unique_ptr<NodeStore>(std::move(*opened));
  }
  auto opened = sqlite::SqliteStore::open(config.sqlite, clock, metrics);
  if (!opened) return opened.error();
  return std::unique_ptr<NodeStore>(std::move(*opened));
}

std::string store_location(const StoreConfig& config) {
  if (config.on_postgres()) return postgres::conninfo_without_password(config.postgres.url);
  return config.sqlite.path;
}

}  // namespace postern::store
