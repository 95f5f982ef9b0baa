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
    Migration{3, R"sql(
-- Provider events and the suppression list (store/event_store.h,
-- store/postgres/event_writer.h; SQLite's migration 11), and the message
-- log's search (SQLite's migration 15). Keys and addresses are COLLATE "C":
-- compared and ordered by their bytes, as SQLite does, whatever the
-- database's locale (the suppression list pages in key order).

-- (messages.suppressed and events.recipient, SQLite's other changes of
-- migration 11, exist since version 1.)

-- key: store::suppression_key(address) (domain lower-cased, local part as
-- given); address as first given. reason: bounced, complained, inactive,
-- manual. message_id: the message whose event put it there, or NULL.
CREATE TABLE suppressions (
  key text COLLATE "C" PRIMARY KEY,
  address text NOT NULL,
  reason text NOT NULL,
  provider text NOT NULL DEFAULT '',
  message_id bigint,
  detail text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL
);

-- Every provider event recorded, once (UNIQUE: a retried or duplicated
-- delivery of the same report is a duplicate). message_id is NULL while no
-- message is known by its ids (unmatched); type by name (events::to_str).
-- id: arrival order on this database, never reused (the cursor of the
-- unmatched list).
CREATE TABLE provider_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider text COLLATE "C" NOT NULL,
  dedupe_key text COLLATE "C" NOT NULL,
  message_id bigint,
  recipient text NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  detail text NOT NULL DEFAULT '',
  provider_message_id text COLLATE "C" NOT NULL DEFAULT '',
  postern_id text NOT NULL DEFAULT '',
  received_at timestamptz NOT NULL,
  UNIQUE (provider, dedupe_key)
);
CREATE INDEX provider_events_by_message ON provider_events(message_id)
  WHERE message_id IS NOT NULL;
-- Unmatched events only: those a send call's answer may name later, the
-- list of them newest first, and retention's cut by age.
CREATE INDEX provider_events_waiting ON provider_events(provider, provider_message_id)
  WHERE message_id IS NULL;
CREATE INDEX provider_events_unmatched ON provider_events(id) WHERE message_id IS NULL;

-- The message each send call's answer named (AttemptRecord::
-- provider_message_id): a message sent in parts has several.
CREATE TABLE provider_message_ids (
  provider text COLLATE "C" NOT NULL,
  provider_message_id text COLLATE "C" NOT NULL,
  message_id bigint NOT NULL,
  PRIMARY KEY (provider, provider_message_id)
);
CREATE INDEX provider_message_ids_by_message ON provider_message_ids(message_id);

-- Each recipient's state as its provider last reported it (the event with
-- the latest time wins); address as the message's envelope spells it.
CREATE TABLE recipient_states (
  message_id bigint NOT NULL,
  address text COLLATE "C" NOT NULL,
  state text NOT NULL,
  at timestamptz NOT NULL,
  detail text NOT NULL DEFAULT '',
  provider text NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, address)
);

-- The message log's search (GET /v1/messages, store/postgres/reader.cpp).
-- A term is "r:" and a recipient's suppression key, or "t:" and a tag; one
-- row per term of a message, so a search by recipient or tag reads one
-- range of the primary key, newest first, whatever the database holds.
-- The terms are made here, in SQL, by the functions below, at enqueue, at
-- retention and when searching, so this backend has one definition of
-- them (the same as store/sqlite/message_terms.h's, which the tests of
-- both backends pin).
CREATE TABLE message_terms (
  term text COLLATE "C" NOT NULL,
  message_id bigint NOT NULL,
  PRIMARY KEY (term, message_id)
);
-- suppression_key(address) after "r:": the last '@' splits, the domain is
-- lower-cased in ASCII only (translate, not lower(), which would fold
-- other letters as the database's locale does).
CREATE FUNCTION postern_recipient_term(address text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT 'r:' || CASE WHEN strpos(address, '@') = 0 THEN address
    ELSE substring(address FROM '^(.*@)') ||
         translate(substring(address FROM '@([^@]*)$'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                   'abcdefghijklmnopqrstuvwxyz') END
$$;
-- Every term of a message, once, from its recipients and tags columns
-- (store/codec.h: a recipient a line, its kind's digit first; a tag a line).
CREATE FUNCTION postern_message_terms(recipients text, tags text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT postern_recipient_term(substr(line, 2)) FROM string_to_table(recipients, E'\n') AS line
    WHERE line <> ''
  UNION
  SELECT 't:' || tag FROM string_to_table(tags, E'\n') AS tag WHERE tag <> ''
$$;
INSERT INTO message_terms(term, message_id)
  SELECT t, m.id FROM messages m, postern_message_terms(m.recipients, m.tags) AS t;
-- The provider of the last attempt: messages that had none yet are left
-- out, so intake pays no insert here.
CREATE INDEX messages_by_provider ON messages(provider, id) WHERE provider <> '';
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
