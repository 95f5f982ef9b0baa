#include "store/store_config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "store/postgres/conninfo.h"

namespace postern::store {
namespace {

// SQLite's own keys: set with backend = "postgres" they would do nothing,
// as store.url would with SQLite.
constexpr std::string_view kSqliteOnly[] = {"path", "fsync", "segment_bytes", "compact_below"};
constexpr std::string_view kSqliteKey =
    "a SQLite setting, which would do nothing with backend = \"postgres\"";
constexpr std::string_view kPostgresKey =
    "used with backend = \"postgres\" only (the SQLite file is store.path)";

// Where a PostgreSQL node keeps its local files: the default path's folder.
constexpr std::string_view kPostgresLocalDir = "data";

// Smaller segments would mean a file (and an fdatasync) every few messages.
constexpr std::size_t kMinSegmentBytes = 64 << 10;

// A node's name goes into logs, lease owners and advisory lock keys:
// kept to what needs no quoting anywhere.
constexpr std::size_t kMaxNodeName = 64;

bool valid_node_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNodeName) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
}

}  // namespace

std::string node_name_or_host(const StoreConfig& config) {
  if (!config.node.empty()) return config.node;
  char host[HOST_NAME_MAX + 1] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

std::filesystem::path local_data_dir(const StoreConfig& config) {
  if (config.on_postgres()) return std::filesystem::path(kPostgresLocalDir);
  return std::filesystem::path(config.sqlite.path).parent_path();
}

Result<StoreConfig, ConfigError> read_store_config(ConfigFile& file) {
  StoreConfig c;
  std::size_t segment_bytes = c.sqlite.segment_bytes;
  auto s = file.section("store");
  s.text("backend", c.backend)
      .text("node", c.node)
      .count("max_batch", c.sqlite.max_batch)
      .duration("retention", c.retention.retention)
      .check(c.backend == kSqliteBackend || c.on_postgres(), "backend",
             "expected \"sqlite\" or \"postgres\", got '" + c.backend + "'")
      .check(c.node.empty() || valid_node_name(c.node), "node",
             "expected 1 to 64 letters, digits, '.', '-' or '_', got '" + c.node + "'")
      .check(c.sqlite.max_batch > 0, "max_batch", "must be at least 1");
  // Each backend's own keys are refused with the other, where they would
  // do nothing.
  if (c.on_postgres()) {
    for (auto key : kSqliteOnly) s.reserved(key, kSqliteKey);
    s.text("url", c.postgres.url)
        .check(!c.postgres.url.empty(), "url",
               "backend = \"postgres\" needs the database's libpq connection string, such as "
               "\"postgresql://postern@db.example.com/postern\"");
    if (!c.postgres.url.empty()) {
      auto problem = postgres::conninfo_problem(c.postgres.url);
      s.check(!problem, "url", "not a libpq connection string: " + problem.value_or(""));
    }
    c.postgres.max_batch = c.sqlite.max_batch;
  } else {
    s.reserved("url", kPostgresKey)
        .text("path", c.sqlite.path)
        .flag("fsync", c.sqlite.fsync)
        .bytes("segment_bytes", segment_bytes)
        .number("compact_below", c.sqlite.compact_below)
        .check(!c.sqlite.path.empty(), "path", "must not be empty")
        .check(segment_bytes >= kMinSegmentBytes, "segment_bytes", "must be at least 64KiB")
        .check(c.sqlite.compact_below <= 1, "compact_below",
               "must be a fraction from 0 to 1 (0: never compact)");
  }
  c.sqlite.segment_bytes = segment_bytes;
  return file.result(std::move(c));
}

}  // namespace postern::store
