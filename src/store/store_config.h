// What the configuration file says about the store: [store]. SQLite, the
// embedded default (store.path), or PostgreSQL (store.url), the cluster
// mode's shared database (docs/operations.md "PostgreSQL backend").
#pragma once

#include <filesystem>
#include <string>

#include "core/config.h"
#include "store/postgres/postgres_store.h"
#include "store/retention.h"
#include "store/sqlite/sqlite_store.h"

namespace postern::store {

inline constexpr std::string_view kSqliteBackend = "sqlite";
inline constexpr std::string_view kPostgresBackend = "postgres";

struct StoreConfig {
  std::string backend{kSqliteBackend};  // kSqliteBackend or kPostgresBackend
  // store.node: this node's name among the nodes sharing the store (its
  // leases' owner, its boot records; store/cluster_link.h); "": the
  // host's name (node_name_or_host()).
  std::string node;
  sqlite::SqliteOptions sqlite;        // store.path, max_batch, fsync, segment_bytes, compact_below
  postgres::PostgresOptions postgres;  // store.url, max_batch
  RetentionOptions retention;          // store.retention

  bool on_postgres() const { return backend == kPostgresBackend; }
};

// store.node, or the host's name when it is not set: stable across
// restarts, so a node takes back its own leases when it starts again.
std::string node_name_or_host(const StoreConfig& config);

// The node's own folder on its machine, for what is not in the store (the
// self-signed TLS certificate, app/server_tls.h): on SQLite the database
// file's folder; on PostgreSQL, whose nodes keep nothing else locally,
// "data" in the working folder (the default store.path's folder).
std::filesystem::path local_data_dir(const StoreConfig& config);

// Reads [store]. Errors name the key: a backend other than "sqlite" or
// "postgres"; on PostgreSQL, no url or one libpq cannot parse, and a key
// of SQLite's own (path, fsync, segment_bytes, compact_below: they would
// do nothing); on SQLite, a url; an empty path, a max_batch of 0, a
// segment_bytes under 64KiB, a compact_below above 1, a node name that is
// not 1 to 64 letters, digits, '.', '-' or '_'.
Result<StoreConfig, ConfigError> read_store_config(ConfigFile& file);

}  // namespace postern::store
