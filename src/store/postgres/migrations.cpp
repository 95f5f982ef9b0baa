#include "store/postgres/migrations.h"

#include <spdlog/spdlog.h>

#include <array>

#include "store/status_sql.h"

namespace postern::store::postgres {
namespace {

// The advisory lock every node takes to migrate: an arbitrary number of
// Postern's own ("postern" in ASCII), so no other user of the database
// collides with it.
constexpr const char* kLockKey = "7075737465726e";

struct Migration {
  int version;
  const char* sql;
};

// Statuses are named ({queued}) and numbered by _status_sql, as in the
// SQLite schema; the numbers never change. Times are timestamptz; the store
// binds and reads them as Unix milliseconds through postern_ts/postern_ms,
// so the code speaks one unit with both backends. Lists (tags, scopes,
// recipients, settled, refused, suppressed) are text a line each, encoded
// as in SQLite (store/codec.h), so both backends share the codec.
constexpr std::array kMigrations = {
    Migration{1, R"sql(
CREATE FUNCTION postern_ts(ms bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT to_timestamp(ms / 1000.0)';
CREATE FUNCTION postern_ms(t timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT (extract(epoch FROM t) * 1000)::bigint';

-- Ids are time-ordered (core/message_id.h): inserts append to the end of
-- the primary key, and an id range is a time range. fillfactor leaves room
-- in each page so that a lease and an attempt (which change no indexed
-- column but status) can often update the row in place.
CREATE TABLE messages (
  id bigint PRIMARY KEY,
  status smallint NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  window_start timestamptz NOT NULL,      -- start of the retry window
  next_attempt_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  lease_owner text,                       -- the node (and worker) holding it
  lease_until timestamptz,
  event_seq integer NOT NULL DEFAULT 0,   -- seq of the newest event
  sender text NOT NULL,
  subject text NOT NULL,
  tags text NOT NULL,
  submitted_by text NOT NULL,
  source text NOT NULL,
  format smallint NOT NULL,
  size bigint NOT NULL,
  recipients text NOT NULL,
  settled text NOT NULL DEFAULT '',
  refused text NOT NULL DEFAULT '',
  suppressed text NOT NULL DEFAULT '',
  catch_account bigint NOT NULL DEFAULT 0,
  provider text NOT NULL DEFAULT '',
  provider_message_id text NOT NULL DEFAULT '',
  last_error text NOT NULL DEFAULT ''
) WITH (fillfactor = 80);
-- As in SQLite: queued mail stays out of the status index, and each queue
-- the dispatcher leases from has a partial index as small as the queue.
CREATE INDEX messages_by_status ON messages(status, id) WHERE status <> {queued};
CREATE INDEX messages_queued ON messages(next_attempt_at) WHERE status = {queued};
CREATE INDEX messages_deferred ON messages(next_attempt_at) WHERE status = {deferred};
CREATE INDEX messages_leased ON messages(lease_until) WHERE status = {sending};

-- The content apart from the row every lease and attempt updates, so that
-- an update copies no content (the SQLite content log is that backend's).
CREATE TABLE message_content (
  message_id bigint PRIMARY KEY,
  content bytea NOT NULL
);

-- The timeline after "accepted" (seq 0, read from the messages row).
CREATE TABLE events (
  message_id bigint NOT NULL,
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  type text NOT NULL,
  status smallint NOT NULL,
  provider text NOT NULL DEFAULT '',
  class text NOT NULL DEFAULT '',
  code text NOT NULL DEFAULT '',
  latency_us bigint NOT NULL DEFAULT 0,
  detail text NOT NULL DEFAULT '',
  recipient text NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, seq)
);

-- Kept in each write's transaction (rows updated in status order, so two
-- nodes never deadlock on them): queue depth is one read.
CREATE TABLE status_counts (
  status smallint PRIMARY KEY,
  n bigint NOT NULL
);
INSERT INTO status_counts(status, n) VALUES ({queued},0),({sending},0),({sent},0),({deferred},0),
  ({failed},0),({cancelled},0),({quarantined},0);

CREATE TABLE api_keys (
  name text PRIMARY KEY,
  secret_hash bytea NOT NULL UNIQUE,
  scopes text NOT NULL,
  created_at timestamptz NOT NULL,
  catch_account bigint NOT NULL DEFAULT 0
);

CREATE TABLE smtp_users (
  name text PRIMARY KEY,
  password_hash text NOT NULL,
  scopes text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  request_hash bytea NOT NULL,
  message_id bigint NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);

-- Each start of a node, numbered (routing/event_ids.h); an identity never
-- gives a number twice.
CREATE TABLE node_boots (
  boot bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  node text NOT NULL,
  started_at timestamptz NOT NULL
);
)sql"_status_sql},
    Migration{2, R"sql(
-- Keys that expire and are rotated, and when each was last used (SQLite's
-- migration 16; docs/operations.md "Abuse limits"). NULL: never expires,
-- never used, no previous secret.
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
-- After a rotation the previous secret's hash keeps working until
-- previous_valid_until (the grace period).
ALTER TABLE api_keys ADD COLUMN previous_hash bytea UNIQUE;
ALTER TABLE api_keys ADD COLUMN previous_valid_until timestamptz;
)sql"_status_sql},
    Migration{4, R"sql(
-- Providers and routing settings changed at run time (store/routing_store.h;
-- SQLite's migration 13): every node loads the same.
CREATE TABLE runtime_providers (
  name text PRIMARY KEY,
  source text NOT NULL,                   -- api, heartbeat, config
  definition text NOT NULL,               -- JSON, the routing service's
  file_entry text NOT NULL DEFAULT '',
  removed boolean NOT NULL DEFAULT false,
  admin text NOT NULL DEFAULT 'active',
  heartbeat_ttl_ms bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL
);
CREATE TABLE runtime_routing (
  key text PRIMARY KEY,                   -- strategy, default_pool, routes
  value text NOT NULL,                    -- JSON
  file_value text NOT NULL,               -- JSON: the file's when it was set
  updated_at timestamptz NOT NULL
);

-- Webhooks out (store/webhook_store.h; SQLite's migration 12). Times of
-- nothing yet (never disabled, not failing, no attempt) are the epoch, as
-- SQLite's 0; types, statuses and states are stored by name.
CREATE TABLE webhook_endpoints (
  id text PRIMARY KEY,
  url text NOT NULL,
  events text NOT NULL DEFAULT '',
  secret text NOT NULL,
  created_at timestamptz NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  disabled_at timestamptz NOT NULL DEFAULT 'epoch',
  disabled_reason text NOT NULL DEFAULT '',
  failing_since timestamptz NOT NULL DEFAULT 'epoch',
  cursor bigint NOT NULL DEFAULT 0
);

-- The id of the last webhook event, one row. Not a sequence: a fan-out
-- moves an endpoint's cursor past the ids it read, so ids must become
-- visible in their order. Each transaction that records events takes them
-- here just before its commit, holding the row until then, so one
-- committed before the next takes its own (webhook_writer.h).
CREATE TABLE webhook_event_ids (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  last bigint NOT NULL
);
INSERT INTO webhook_event_ids(one, last) VALUES (true, 0);

CREATE TABLE webhook_events (
  id bigint PRIMARY KEY,
  type text NOT NULL,
  message_id bigint NOT NULL,
  recipient text NOT NULL DEFAULT '',
  at timestamptz NOT NULL,
  status text NOT NULL,
  provider text NOT NULL DEFAULT '',
  class text NOT NULL DEFAULT '',
  code text NOT NULL DEFAULT '',
  detail text NOT NULL DEFAULT ''
);

-- One event queued to one endpoint. A pending delivery a sender leased
-- names it (lease_owner) and is not due again before its lease ends:
-- next_attempt_at is then the lease's end (webhook_store.h).
CREATE TABLE webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id text NOT NULL,
  event_id bigint NOT NULL,
  message_id bigint NOT NULL,
  state text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  last_attempt_at timestamptz NOT NULL DEFAULT 'epoch',
  last_status integer NOT NULL DEFAULT 0,
  last_error text NOT NULL DEFAULT '',
  last_latency_us bigint NOT NULL DEFAULT 0,
  lease_owner text
);
-- As in SQLite: the log newest first, the pending queue (due ones, each
-- message's first, the next due time), retention.
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries(endpoint_id, id);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(endpoint_id, next_attempt_at, id)
  WHERE state = 'pending';
CREATE INDEX webhook_deliveries_pending_by_message
  ON webhook_deliveries(endpoint_id, message_id, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_ended ON webhook_deliveries(last_attempt_at)
  WHERE state <> 'pending';
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries(event_id);
)sql"_status_sql},
};

Result<int> current_version(Connection& c) {
  if (auto r = c.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
                       "version integer PRIMARY KEY, applied_at timestamptz NOT NULL)");
      !r) {
    return r.error();
  }
  auto rows = c.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!rows) return rows.error();
  return static_cast<int>(rows->integer(0, 0));
}

Result<void> migrate_locked(Connection& c, int target) {
  if (auto r = c.query("BEGIN"); !r) return r.error();
  auto rollback = [&](error_code ec) -> Result<void> {
    (void)c.query("ROLLBACK");
    return ec;
  };
  auto version = current_version(c);
  if (!version) return rollback(version.error());
  if (*version > postgres_schema_version()) return rollback(Errc::conflict);
  for (const auto& m : kMigrations) {
    if (m.version <= *version || m.version > target) continue;
    if (*version > 0) spdlog::info("store: migrating the schema to version {}", m.version);
    if (auto r = c.script(m.sql); !r) {
      spdlog::error("store: schema version {} failed: {}", m.version, c.last_error());
      return rollback(r.error());
    }
    if (auto r = c.query("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, now())",
                         Params().integer(m.version));
        !r) {
      return rollback(r.error());
    }
  }
  if (auto r = c.query("COMMIT"); !r) return rollback(r.error());
  return {};
}

}  // namespace

int postgres_schema_version() { return kMigrations.back().version; }

Result<void> migrate_postgres(Connection& c, int target) {
  // Session-level: held across the transaction, released whatever its outcome.
  if (auto r = c.query(std::string("SELECT pg_advisory_lock(x'") + kLockKey + "'::bigint)"); !r)
    return r.error();
  auto migrated = migrate_locked(c, target);
  (void)c.query(std::string("SELECT pg_advisory_unlock(x'") + kLockKey + "'::bigint)");
  return migrated;
}

}  // namespace postern::store::postgres
