#include "store/store_config.h"

namespace postern::store {
namespace {

// Accepted, "postgres" would open SQLite all the same: refused until the
// backend lands.
constexpr std::string_view kNoPostgres =
    "the PostgreSQL backend (cluster mode) is not implemented yet; only \"sqlite\" is";

}  // namespace

Result<StoreConfig, ConfigError> read_store_config(ConfigFile& file) {
  StoreConfig c;
  auto s = file.section("store");
  s.text("backend", c.backend)
      .reserved("url", kNoPostgres)
      .text("path", c.sqlite.path)
      .count("max_batch", c.sqlite.max_batch)
      .flag("fsync", c.sqlite.fsync)
      .duration("retention", c.retention.retention);
  s.check(c.backend != "postgres", "backend", std::string(kNoPostgres))
      .check(c.backend == kSqliteBackend, "backend", "expected \"sqlite\", got '" + c.backend + "'")
      .check(!c.sqlite.path.empty(), "path", "must not be empty")
      .check(c.sqlite.max_batch > 0, "max_batch", "must be at least 1");
  return file.result(std::move(c));
}

}  // namespace postern::store
