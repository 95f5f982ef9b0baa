#include "store/store_config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>

namespace postern::store {
namespace {

// Accepted, "postgres" would open SQLite all the same: refused until the
// backend lands.
constexpr std::string_view kNoPostgres =
    "the PostgreSQL backend (cluster mode) is not implemented yet; only \"sqlite\" is";

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

Result<StoreConfig, ConfigError> read_store_config(ConfigFile& file) {
  StoreConfig c;
  std::size_t segment_bytes = c.sqlite.segment_bytes;
  auto s = file.section("store");
  s.text("backend", c.backend)
      .text("node", c.node)
      .reserved("url", kNoPostgres)
      .text("path", c.sqlite.path)
      .count("max_batch", c.sqlite.max_batch)
      .flag("fsync", c.sqlite.fsync)
      .duration("retention", c.retention.retention)
      .bytes("segment_bytes", segment_bytes)
      .number("compact_below", c.sqlite.compact_below);
  s.check(c.backend != "postgres", "backend", std::string(kNoPostgres))
      .check(c.backend == kSqliteBackend, "backend", "expected \"sqlite\", got '" + c.backend + "'")
      .check(c.node.empty() || valid_node_name(c.node), "node",
             "expected 1 to 64 letters, digits, '.', '-' or '_', got '" + c.node + "'")
      .check(!c.sqlite.path.empty(), "path", "must not be empty")
      .check(c.sqlite.max_batch > 0, "max_batch", "must be at least 1")
      .check(segment_bytes >= kMinSegmentBytes, "segment_bytes", "must be at least 64KiB")
      .check(c.sqlite.compact_below <= 1, "compact_below",
             "must be a fraction from 0 to 1 (0: never compact)");
  c.sqlite.segment_bytes = segment_bytes;
  return file.result(std::move(c));
}

}  // namespace postern::store
