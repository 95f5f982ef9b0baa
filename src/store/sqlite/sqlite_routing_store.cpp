#include "store/sqlite/sqlite_routing_store.h"

namespace postern::store::sqlite {
namespace {

constexpr std::string_view kPutProvider =
    "INSERT OR REPLACE INTO runtime_providers(name, source, definition, file_entry, removed, "
    "admin, heartbeat_ttl_ms, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr std::string_view kDeleteProvider = "DELETE FROM runtime_providers WHERE name = ?1";
constexpr std::string_view kPutSetting =
    "INSERT OR REPLACE INTO runtime_routing(key, value, file_value, updated_at) "
    "VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kDeleteSetting = "DELETE FROM runtime_routing WHERE key = ?1";
constexpr std::string_view kDeleteAllProviders = "DELETE FROM runtime_providers";
constexpr std::string_view kDeleteAllSettings = "DELETE FROM runtime_routing";

constexpr std::string_view kDropNodeHealth = "DELETE FROM provider_health WHERE node = ?1";
constexpr std::string_view kDropOldHealth = "DELETE FROM provider_health WHERE updated_at < ?1";
constexpr std::string_view kPutHealth =
    "INSERT INTO provider_health(node, provider, state, reason, since, latency_us, success_ppm, "
    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

constexpr std::string_view kHealth =
    "SELECT node, provider, state, reason, since, latency_us, success_ppm, updated_at "
    "FROM provider_health ORDER BY provider, node";
constexpr std::string_view kProviders =
    "SELECT name, source, definition, file_entry, removed, admin, heartbeat_ttl_ms, updated_at "
    "FROM runtime_providers ORDER BY name";
constexpr std::string_view kSettings =
    "SELECT key, value, file_value, updated_at FROM runtime_routing ORDER BY key";

}  // namespace

Result<std::unique_ptr<SqliteRoutingStore>> SqliteRoutingStore::open(GroupCommitter& committer,
                                                                     Database& write_db,
                                                                     const std::string& path,
                                                                     const Clock& clock) {
  StatementCache writes;
  if (auto r = writes.add(write_db, {kPutProvider, kDeleteProvider, kPutSetting, kDeleteSetting,
                                     kDeleteAllProviders, kDeleteAllSettings, kDropNodeHealth,
                                     kDropOldHealth, kPutHealth});
      !r)
    return r.error();
  auto read_db = Database::open(path, false);
  if (!read_db) return read_db.error();
  for (const char* pragma : {"PRAGMA busy_timeout = 5000", "PRAGMA query_only = 1"}) {
    if (auto r = (*read_db)->exec(pragma); !r) return r.error();
  }
  StatementCache reads;
  if (auto r = reads.add(**read_db, {kProviders, kSettings, kHealth}); !r) return r.error();
  return std::unique_ptr<SqliteRoutingStore>(new SqliteRoutingStore(
      committer, write_db, std::move(writes), std::move(*read_db), std::move(reads), clock));
}

SqliteRoutingStore::SqliteRoutingStore(GroupCommitter& committer, Database& write_db,
                                       StatementCache writes, std::unique_ptr<Database> read_db,
                                       StatementCache reads, const Clock& clock)
    : committer_(committer),
      write_db_(write_db),
      writes_(std::move(writes)),
      read_db_(std::move(read_db)),
      reads_(std::move(reads)),
      clock_(clock) {}

void SqliteRoutingStore::save(RoutingChanges changes, Completion<void> done) {
  committer_.submit<void>([this, c = std::move(changes)]() { return apply(c); }, std::move(done));
}

void SqliteRoutingStore::clear(Completion<std::size_t> done) {
  committer_.submit<std::size_t>([this]() { return drop_all(); }, std::move(done));
}

Result<void> SqliteRoutingStore::apply(const RoutingChanges& c) {
  const auto now = to_unix_ms(clock_.now());
  for (const auto& name : c.delete_providers) {
    if (auto r = writes_[kDeleteProvider].bind(1, name).run(); !r) return r;
  }
  for (const auto& p : c.put_providers) {
    auto r = writes_[kPutProvider]
                 .bind(1, p.name)
                 .bind(2, p.source)
                 .bind(3, p.definition)
                 .bind(4, p.file_entry)
                 .bind(5, std::int64_t{p.removed ? 1 : 0})
                 .bind(6, p.admin)
                 .bind(7, p.heartbeat_ttl_ms)
                 .bind(8, now)
                 .run();
    if (!r) return r;
  }
  for (const auto& key : c.delete_settings) {
    if (auto r = writes_[kDeleteSetting].bind(1, key).run(); !r) return r;
  }
  for (const auto& s : c.put_settings) {
    auto r = writes_[kPutSetting]
                 .bind(1, s.key)
                 .bind(2, s.value)
                 .bind(3, s.file_value)
                 .bind(4, now)
                 .run();
    if (!r) return r;
  }
  return {};
}

Result<std::size_t> SqliteRoutingStore::drop_all() {
  std::size_t n = 0;
  for (auto sql : {kDeleteAllProviders, kDeleteAllSettings}) {
    if (auto r = writes_[sql].run(); !r) return r.error();
    n += static_cast<std::size_t>(write_db_.changes());
  }
  return n;
}

Result<RuntimeRouting> SqliteRoutingStore::load() {
  std::lock_guard lock(read_mu_);
  RuntimeRouting out;
  // One read transaction: the providers and the settings of one commit.
  if (auto r = read_db_->exec("BEGIN"); !r) return r.error();
  auto providers = reads_[kProviders].each_row([&](Statement& row) {
    StoredProvider p;
    p.name = row.column_text(0);
    p.source = row.column_text(1);
    p.definition = row.column_text(2);
    p.file_entry = row.column_text(3);
    p.removed = row.column_int(4) != 0;
    p.admin = row.column_text(5);
    p.heartbeat_ttl_ms = row.column_int(6);
    p.updated_at = from_unix_ms(row.column_int(7));
    out.providers.push_back(std::move(p));
  });
  auto settings = reads_[kSettings].each_row([&](Statement& row) {
    out.settings.push_back({row.column_text(0), row.column_text(1), row.column_text(2),
                            from_unix_ms(row.column_int(3))});
  });
  (void)read_db_->exec("COMMIT");
  if (!providers) return providers.error();
  if (!settings) return settings.error();
  return out;
}

// --- Provider health per node ---

void SqliteRoutingStore::record_provider_health(std::string node,
                                                std::vector<ProviderHealthRow> rows,
                                                Completion<void> done) {
  committer_.submit<void>(
      [this, node = std::move(node), rows = std::move(rows)]() { return put_health(node, rows); },
      std::move(done));
}

Result<void> SqliteRoutingStore::put_health(const std::string& node,
                                            const std::vector<ProviderHealthRow>& rows) {
  const auto now = clock_.now();
  if (auto r = writes_[kDropOldHealth].bind(1, to_unix_ms(now - kProviderHealthKept)).run(); !r)
    return r;
  if (auto r = writes_[kDropNodeHealth].bind(1, node).run(); !r) return r;
  for (const auto& h : rows) {
    auto& put = writes_[kPutHealth]
                    .bind(1, node)
                    .bind(2, h.provider)
                    .bind(3, h.state)
                    .bind(4, h.reason)
                    .bind(5, to_unix_ms(h.since))
                    .bind(6, h.latency_us)
                    .bind(8, to_unix_ms(now));
    if (h.success_ppm) {
      put.bind(7, *h.success_ppm);
    } else {
      put.bind_null(7);
    }
    if (auto r = put.run(); !r) return r;
  }
  return {};
}

Result<std::vector<ProviderHealthRow>> SqliteRoutingStore::provider_health() {
  std::lock_guard lock(read_mu_);
  std::vector<ProviderHealthRow> out;
  auto read = reads_[kHealth].each_row([&](Statement& row) {
    ProviderHealthRow h;
    h.node = row.column_text(0);
    h.provider = row.column_text(1);
    h.state = row.column_text(2);
    h.reason = row.column_text(3);
    h.since = from_unix_ms(row.column_int(4));
    h.latency_us = row.column_int(5);
    if (!row.column_is_null(6)) h.success_ppm = row.column_int(6);
    h.updated_at = from_unix_ms(row.column_int(7));
    out.push_back(std::move(h));
  });
  if (!read) return read.error();
  return out;
}

}  // namespace postern::store::sqlite
