// What the configuration file says about the store: [store]. SQLite is the
// one backend so far; PostgreSQL (store.url) is reserved for the cluster
// mode to come and refused until it lands.
#pragma once

#include <string>

#include "core/config.h"
#include "store/retention.h"
#include "store/sqlite/sqlite_store.h"

namespace postern::store {

inline constexpr std::string_view kSqliteBackend = "sqlite";

struct StoreConfig {
  std::string backend{kSqliteBackend};  // the only one accepted so far
  // store.node: this node's name among the nodes sharing the store (its
  // leases' owner, its boot records; store/cluster_link.h); "": the
  // host's name (node_name_or_host()).
  std::string node;
  sqlite::SqliteOptions sqlite;  // store.path, max_batch, fsync, segment_bytes, compact_below
  RetentionOptions retention;    // store.retention
};

// store.node, or the host's name when it is not set: stable across
// restarts, so a node takes back its own leases when it starts again.
std::string node_name_or_host(const StoreConfig& config);

// Reads [store]. Errors name the key: a backend other than "sqlite" (for
// "postgres" too), store.url, an empty path, a max_batch of 0, a
// segment_bytes under 64KiB, a compact_below above 1, a node name that is
// not 1 to 64 letters, digits, '.', '-' or '_'.
Result<StoreConfig, ConfigError> read_store_config(ConfigFile& file);

}  // namespace postern::store
