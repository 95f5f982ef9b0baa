// Opens the store a configuration names (store.backend): the one place
// that knows which backends exist.
#pragma once

#include <memory>

#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
#include "store/node_store.h"
#include "store/store_config.h"

namespace postern::store {

// Errors as the backend's open: storage_unavailable, corrupt, conflict
// (a database written by a newer version).
Result<std::unique_ptr<NodeStore>> open_node_store(const StoreConfig& config, const Clock& clock,
                                                   MetricsRegistry& metrics);

// Where the store is, for a person reading an error or a log: the SQLite
// file's path, or PostgreSQL's connection string without its password.
std::string store_location(const StoreConfig& config);

}  // namespace postern::store
