#include "store/store_config.h"

namespace postern::store {
namespace {

// Accepted, "postgres" would open SQLite all the same: refused until the
// backend lands.
constexpr std::string_view kNoPostgres =
    "the PostgreSQL backend (cluster mode) is not implemented yet; only \"sqlite\" is";

// Smaller segments would mean a file (and an fdatasync) every few messages.
constexpr std::size_t kMinSegmentBytes = 64 << 10;

}  // namespace

Result<StoreConfig, ConfigError> read_store_config(ConfigFile& file) {
  StoreConfig c;
  std::size_t segment_bytes = c.sqlite.segment_bytes;
  auto s = file.section("store");
  s.text("backend", c.backend)
      .reserved("url", kNoPostgres)
      .text("path", c.sqlite.path)
      .count("max_batch", c.sqlite.max_batch)
      .flag("fsync", c.sqlite.fsync)
      .duration("retention", c.retention.retention)
      .bytes("segment_bytes", segment_bytes)
      .number("compact_below", c.sqlite.compact_below);
  s.check(c.backend != "postgres", "backend", std::string(kNoPostgres))
      .check(c.backend == kSqliteBackend, "backend", "expected \"sqlite\", got '" + c.backend + "'")
      .check(!c.sqlite.path.empty(), "path", "must not be empty")
      .check(c.sqlite.max_batch > 0, "max_batch", "must be at least 1")
      .check(segment_bytes >= kMinSegmentBytes, "segment_bytes", "must be at least 64KiB")
      .check(c.sqlite.compact_below <= 1, "compact_below",
             "must be a fraction from 0 to 1 (0: never compact)");
  c.sqlite.segment_bytes = segment_bytes;
  return file.result(std::move(c));
}

}  // namespace postern::store
