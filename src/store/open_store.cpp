#include "store/open_store.h"

#include "store/sqlite/sqlite_store.h"

namespace postern::store {

Result<std::unique_ptr<NodeStore>> open_node_store(const StoreConfig& config, const Clock& clock,
                                                   MetricsRegistry& metrics) {
  auto opened = sqlite::SqliteStore::open(config.sqlite, clock, metrics);
  if (!opened) return opened.error();
  return std::unique_ptr<NodeStore>(std::move(*opened));
}

std::string store_location(const StoreConfig& config) { return config.sqlite.path; }

}  // namespace postern::store
