#include "store/postgres/pg_routing_store.h"

namespace postern::store::postgres {
namespace {

// Insert or replace by name (key): SQLite's INSERT OR REPLACE.
constexpr const char* kPutProvider =
    "INSERT INTO runtime_providers(name, source, definition, file_entry, removed, admin, "
    "heartbeat_ttl_ms, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, postern_ts($8)) "
    "ON CONFLICT (name) DO UPDATE SET source = excluded.source, definition = excluded.definition, "
    "file_entry = excluded.file_entry, removed = excluded.removed, admin = excluded.admin, "
    "heartbeat_ttl_ms = excluded.heartbeat_ttl_ms, updated_at = excluded.updated_at";
constexpr const char* kPutSetting =
    "INSERT INTO runtime_routing(key, value, file_value, updated_at) "
    "VALUES ($1, $2, $3, postern_ts($4)) ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
    "file_value = excluded.file_value, updated_at = excluded.updated_at";

constexpr const char* kPutHealth =
    "INSERT INTO provider_health(node, provider, state, reason, since, latency_us, success_ppm, "
    "updated_at) VALUES ($1, $2, $3, $4, postern_ts($5), $6, $7, postern_ts($8))";

Result<void> load_rows(Connection& c, RuntimeRouting& out) {
  auto providers = c.query(
      "SELECT name, source, definition, file_entry, removed, admin, heartbeat_ttl_ms, "
      "postern_ms(updated_at) FROM runtime_providers ORDER BY name");
  if (!providers) return providers.error();
  for (int i = 0; i < providers->size(); ++i) {
    StoredProvider p;
    p.name = providers->text(i, 0);
    p.source = providers->text(i, 1);
    p.definition = providers->text(i, 2);
    p.file_entry = providers->text(i, 3);
    p.removed = providers->view(i, 4) == "t";
    p.admin = providers->text(i, 5);
    p.heartbeat_ttl_ms = providers->integer(i, 6);
    p.updated_at = from_unix_ms(providers->integer(i, 7));
    out.providers.push_back(std::move(p));
  }
  auto settings = c.query(
      "SELECT key, value, file_value, postern_ms(updated_at) FROM runtime_routing ORDER BY key");
  if (!settings) return settings.error();
  for (int i = 0; i < settings->size(); ++i) {
    out.settings.push_back({settings->text(i, 0), settings->text(i, 1), settings->text(i, 2),
                            from_unix_ms(settings->integer(i, 3))});
  }
  return {};
}

// Every node's listener, this one's too, hears of a change once it is
// committed: the NOTIFY is sent with the transaction and delivered at its
// COMMIT (nothing if it rolls back).
void notify(Connection& c) { c.defer(std::string("NOTIFY ") + kRoutingChannel, {}); }

}  // namespace

void PgRoutingStore::save(RoutingChanges changes, Completion<void> done) {
  committer_.submit<void>([this, c = std::move(changes)]() { return apply(c); }, std::move(done));
}

void PgRoutingStore::clear(Completion<std::size_t> done) {
  committer_.submit<std::size_t>([this]() { return drop_all(); }, std::move(done));
}

// Nothing here needs an answer: the statements go pipelined with the
// batch's commit, in this order.
Result<void> PgRoutingStore::apply(const RoutingChanges& c) {
  notify(write_conn_);
  const auto now = to_unix_ms(clock_.now());
  for (const auto& name : c.delete_providers)
    write_conn_.defer("DELETE FROM runtime_providers WHERE name = $1", Params().text(name));
  for (const auto& p : c.put_providers) {
    write_conn_.defer(kPutProvider, Params()
                                        .text(p.name)
                                        .text(p.source)
                                        .text(p.definition)
                                        .text(p.file_entry)
                                        .text(p.removed ? "true" : "false")
                                        .text(p.admin)
                                        .integer(p.heartbeat_ttl_ms)
                                        .integer(now));
  }
  for (const auto& key : c.delete_settings)
    write_conn_.defer("DELETE FROM runtime_routing WHERE key = $1", Params().text(key));
  for (const auto& s : c.put_settings) {
    write_conn_.defer(kPutSetting,
                      Params().text(s.key).text(s.value).text(s.file_value).integer(now));
  }
  return {};
}

Result<std::size_t> PgRoutingStore::drop_all() {
  auto r = write_conn_.query(
      "WITH p AS (DELETE FROM runtime_providers RETURNING 1), "
      "s AS (DELETE FROM runtime_routing RETURNING 1) "
      "SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM s)");
  if (!r) return r.error();
  notify(write_conn_);
  return static_cast<std::size_t>(r->integer(0, 0));
}

Result<RuntimeRouting> PgRoutingStore::load() {
  return read_pooled(readers_, [](Connection& c) -> Result<RuntimeRouting> {
    // One snapshot: the providers and the settings of one commit.
    if (auto r = c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r) return r.error();
    RuntimeRouting out;
    auto loaded = load_rows(c, out);
    (void)c.query(loaded ? "COMMIT" : "ROLLBACK");
    if (!loaded) return loaded.error();
    return out;
  });
}

// --- Provider health per node ---

void PgRoutingStore::record_provider_health(std::string node, std::vector<ProviderHealthRow> rows,
                                            Completion<void> done) {
  committer_.submit<void>(
      [this, node = std::move(node), rows = std::move(rows)]() { return put_health(node, rows); },
      std::move(done));
}

// Only this node's rows change (other nodes write theirs), and nothing
// needs an answer: pipelined with the batch's commit.
Result<void> PgRoutingStore::put_health(const std::string& node,
                                        const std::vector<ProviderHealthRow>& rows) {
  const auto now = clock_.now();
  write_conn_.defer("DELETE FROM provider_health WHERE updated_at < postern_ts($1)",
                    Params().integer(to_unix_ms(now - kProviderHealthKept)));
  write_conn_.defer("DELETE FROM provider_health WHERE node = $1", Params().text(node));
  for (const auto& h : rows) {
    auto params = Params()
                      .text(node)
                      .text(h.provider)
                      .text(h.state)
                      .text(h.reason)
                      .integer(to_unix_ms(h.since))
                      .integer(h.latency_us);
    if (h.success_ppm) {
      params.integer(*h.success_ppm);
    } else {
      params.null();
    }
    write_conn_.defer(kPutHealth, std::move(params.integer(to_unix_ms(now))));
  }
  return {};
}

Result<std::vector<ProviderHealthRow>> PgRoutingStore::provider_health() {
  return read_pooled(readers_, [](Connection& c) -> Result<std::vector<ProviderHealthRow>> {
    auto rows = c.query(
        "SELECT node, provider, state, reason, postern_ms(since), latency_us, success_ppm, "
        "postern_ms(updated_at) FROM provider_health ORDER BY provider, node");
    if (!rows) return rows.error();
    std::vector<ProviderHealthRow> out;
    for (int i = 0; i < rows->size(); ++i) {
      ProviderHealthRow h;
      h.node = rows->text(i, 0);
      h.provider = rows->text(i, 1);
      h.state = rows->text(i, 2);
      h.reason = rows->text(i, 3);
      h.since = from_unix_ms(rows->integer(i, 4));
      h.latency_us = rows->integer(i, 5);
      if (!rows->null(i, 6)) h.success_ppm = rows->integer(i, 6);
      h.updated_at = from_unix_ms(rows->integer(i, 7));
      out.push_back(std::move(h));
    }
    return out;
  });
}

}  // namespace postern::store::postgres
