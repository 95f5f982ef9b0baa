#include "store/store_config.h"

namespace postern::store {

Result<StoreConfig, ConfigError> read_store_config(ConfigFile& file) {
  StoreConfig c;
  auto s = file.section("store");
  s.text("backend", c.backend)
      .text("url", c.url)
      .text("path", c.sqlite.path)
      .count("max_batch", c.sqlite.max_batch)
      .flag("fsync", c.sqlite.fsync)
      .duration("retention", c.retention.retention);
  s.check(c.backend == kSqliteBackend || c.backend == "postgres", "backend",
          "expected \"sqlite\" or \"postgres\", got '" + c.backend + "'")
      .check(c.backend != kSqliteBackend || !c.sqlite.path.empty(), "path", "must not be empty")
      .check(c.backend != "postgres" || !c.url.empty(), "url",
             "is required when store.backend is \"postgres\"")
      .check(c.sqlite.max_batch > 0, "max_batch", "must be at least 1");
  return file.result(std::move(c));
}

}  // namespace postern::store
