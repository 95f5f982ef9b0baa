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
    Migration{5, R"sql(
-- The test inbox (store/inbox_store.h; SQLite's migration 8, with the same
-- tables and meaning). Ids are identities, never given twice: an IMAP
-- session that holds the id of a deleted mailbox must not find a new one
-- under it. Names, mailbox keys and keywords compare and sort byte by byte
-- (COLLATE "C"), as SQLite's BINARY does, whatever the database's locale.
CREATE TABLE inbox_accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_name text NOT NULL UNIQUE,
  address text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz NOT NULL,
  retention_s bigint NOT NULL,
  quota_bytes bigint NOT NULL,            -- 0: no limit
  used_bytes bigint NOT NULL DEFAULT 0,   -- kept by the entry triggers below
  catch_all boolean NOT NULL
);
-- Addresses are unique in any case (SQLite's COLLATE NOCASE).
CREATE UNIQUE INDEX inbox_accounts_by_address ON inbox_accounts(lower(address));
-- Accounts that can expire for lack of use (expire() reads them in order).
CREATE INDEX inbox_accounts_by_use ON inbox_accounts(last_used_at) WHERE NOT catch_all;

-- name_key is the name with INBOX in any case spelt "INBOX", so that the
-- unique constraint refuses a second INBOX however it is written.
-- uid_next and highest_modseq are taken by updating this row, which locks
-- it until the transaction ends: see store/postgres/inbox_writer.h.
-- forgotten_below: the highest modseq of the expunge tombstones already
-- pruned; changes_since an older modseq is incomplete.
CREATE TABLE inbox_mailboxes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account bigint NOT NULL,
  name text COLLATE "C" NOT NULL,
  name_key text COLLATE "C" NOT NULL,
  uid_validity bigint NOT NULL,
  uid_next bigint NOT NULL DEFAULT 1,
  highest_modseq bigint NOT NULL DEFAULT 0,
  forgotten_below bigint NOT NULL DEFAULT 0,
  subscribed boolean NOT NULL DEFAULT false,
  UNIQUE (account, name_key)
);

-- The last UIDVALIDITY handed out: a new mailbox takes the larger of the
-- next one and the time in seconds, so that a mailbox deleted and created
-- again never shows a client its old UIDVALIDITY.
CREATE TABLE inbox_state (
  id integer PRIMARY KEY CHECK (id = 1),
  last_uid_validity bigint NOT NULL
);
INSERT INTO inbox_state(id, last_uid_validity) VALUES (1, 0);

-- What the inbox keeps of a message, once however many entries refer to it
-- (refs). Its decoded text and its bytes are rows apart: FETCH of ENVELOPE
-- or BODYSTRUCTURE over a whole mailbox reads small rows, and a change of
-- refs copies neither. They go with the blob (ON DELETE CASCADE).
CREATE TABLE inbox_blobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  refs integer NOT NULL DEFAULT 0,
  size bigint NOT NULL,
  source bigint,                          -- gateway message id it was caught from
  from_text text NOT NULL,
  to_text text NOT NULL,
  cc_text text NOT NULL,
  subject text NOT NULL,
  message_id text NOT NULL,
  date timestamptz,
  has_attachments boolean NOT NULL,
  envelope text NOT NULL,
  body_structure text NOT NULL,
  body text NOT NULL
);
CREATE INDEX inbox_blobs_by_source ON inbox_blobs(source) WHERE source IS NOT NULL;
CREATE TABLE inbox_blob_texts (
  blob bigint PRIMARY KEY REFERENCES inbox_blobs(id) ON DELETE CASCADE,
  text text NOT NULL
);
-- The message's bytes (SQLite keeps them in its content log).
CREATE TABLE inbox_blob_contents (
  blob bigint PRIMARY KEY REFERENCES inbox_blobs(id) ON DELETE CASCADE,
  content bytea NOT NULL
);

-- One message in one mailbox. Its keywords are an array in the row (SQLite
-- keeps a table of them): a flag change is then one UPDATE computed from
-- the row as it is, never read and written back by the store, and every
-- read of entries takes them without a second query. Sorted, unique.
CREATE TABLE inbox_entries (
  mailbox bigint NOT NULL,
  uid bigint NOT NULL,
  blob bigint NOT NULL,
  flags smallint NOT NULL,                -- SystemFlag bits
  keywords text[] COLLATE "C" NOT NULL DEFAULT ARRAY[]::text[],
  modseq bigint NOT NULL,
  internal_date timestamptz NOT NULL,
  size bigint NOT NULL,
  PRIMARY KEY (mailbox, uid)
);
CREATE INDEX inbox_entries_by_modseq ON inbox_entries(mailbox, modseq);
CREATE INDEX inbox_entries_by_date ON inbox_entries(mailbox, internal_date);
CREATE INDEX inbox_entries_by_blob ON inbox_entries(blob);

-- Expunged UIDs, for changes_since; pruned after a while (forgotten_below).
CREATE TABLE inbox_expunged (
  mailbox bigint NOT NULL,
  modseq bigint NOT NULL,
  uid bigint NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (mailbox, modseq, uid)
);
CREATE INDEX inbox_expunged_by_age ON inbox_expunged(at);

-- Every path that adds or removes entries (delivery, copy, move, expunge,
-- expiry, deleting a mailbox or an account) keeps the blobs' reference
-- counts and the accounts' used bytes through these, so none can forget.
-- Once per statement over its rows (transition tables): deleting an
-- account of 100,000 entries is a few statements, not 100,000 calls. A
-- blob whose last entry goes is deleted with its text and bytes. Blobs are
-- locked in id order first: two nodes removing entries that share blobs
-- never wait on each other in opposite orders.
CREATE FUNCTION inbox_entries_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM inbox_blobs WHERE id IN (SELECT blob FROM added) ORDER BY id FOR UPDATE;
  UPDATE inbox_blobs b SET refs = b.refs + n.n
    FROM (SELECT blob, count(*) AS n FROM added GROUP BY blob) n WHERE b.id = n.blob;
  UPDATE inbox_accounts a SET used_bytes = a.used_bytes + s.bytes
    FROM (SELECT m.account, sum(e.size) AS bytes FROM added e
          JOIN inbox_mailboxes m ON m.id = e.mailbox GROUP BY m.account) s
    WHERE a.id = s.account;
  RETURN NULL;
END $$;
CREATE TRIGGER inbox_entries_added AFTER INSERT ON inbox_entries
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION inbox_entries_added();

CREATE FUNCTION inbox_entries_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE inbox_accounts a SET used_bytes = a.used_bytes - s.bytes
    FROM (SELECT m.account, sum(e.size) AS bytes FROM gone e
          JOIN inbox_mailboxes m ON m.id = e.mailbox GROUP BY m.account) s
    WHERE a.id = s.account;
  PERFORM 1 FROM inbox_blobs WHERE id IN (SELECT blob FROM gone) ORDER BY id FOR UPDATE;
  UPDATE inbox_blobs b SET refs = b.refs - n.n
    FROM (SELECT blob, count(*) AS n FROM gone GROUP BY blob) n WHERE b.id = n.blob;
  DELETE FROM inbox_blobs WHERE id IN (SELECT blob FROM gone) AND refs <= 0;
  RETURN NULL;
END $$;
CREATE TRIGGER inbox_entries_removed AFTER DELETE ON inbox_entries
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION inbox_entries_removed();

-- An API key bound to a test account is deleted with it, in the same
-- transaction (store/postgres/inbox_writer.cpp), hence the index.
CREATE INDEX api_keys_by_catch_account ON api_keys(catch_account) WHERE catch_account <> 0;
)sql"_status_sql},
    Migration{6, R"sql(
-- Each provider's health as each node sees it (store/routing_store.h;
-- SQLite's migration 17): every node writes its own rows, and reads all.
CREATE TABLE provider_health (
  node text NOT NULL,
  provider text NOT NULL,
  state text NOT NULL,
  reason text NOT NULL DEFAULT '',
  since timestamptz NOT NULL,
  latency_us bigint NOT NULL DEFAULT 0,
  success_ppm bigint,                     -- parts per million; NULL: no answers lately
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (node, provider)
);
)sql"_status_sql},
    Migration{7, R"sql(
-- The term functions of migration 3 again, without STRICT. PostgreSQL
-- inlines a set-returning SQL function, or a scalar one whose body is not
-- itself strict (a CASE), only when it is not declared STRICT; otherwise
-- each message's terms ran the functions' own statements, planned anew
-- for each new message. Inlined, they are part of the statement's plan.
-- A NULL still gives NULL ('r:' || NULL) or no rows (string_to_table).
CREATE OR REPLACE FUNCTION postern_recipient_term(address text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'r:' || CASE WHEN strpos(address, '@') = 0 THEN address
    ELSE substring(address FROM '^(.*@)') ||
         translate(substring(address FROM '@([^@]*)$'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                   'abcdefghijklmnopqrstuvwxyz') END
$$;
CREATE OR REPLACE FUNCTION postern_message_terms(recipients text, tags text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT postern_recipient_term(substr(line, 2)) FROM string_to_table(recipients, E'\n') AS line
    WHERE line <> ''
  UNION
  SELECT 't:' || tag FROM string_to_table(tags, E'\n') AS tag WHERE tag <> ''
$$;
)sql"_status_sql},
    Migration{8, R"sql(
-- postern_ms of migration 1, inlined. Its body read the epoch of a
-- timestamptz, which PostgreSQL rates STABLE (some fields of it depend on
-- the session's time zone), so a function declared IMMUTABLE around it was
-- never inlined: each time read (two for each leased message) ran the
-- function's own statement. The epoch of the same instant read as UTC
-- wall-clock time is IMMUTABLE, and the same number.
CREATE OR REPLACE FUNCTION postern_ms(t timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
  'SELECT (extract(epoch FROM t AT TIME ZONE ''UTC'') * 1000)::bigint';
)sql"_status_sql},
    Migration{9, R"sql(
-- The status counts in shards. Every transaction that changes a status
-- updated the one row of that status in status_counts and held its lock
-- until its COMMIT was flushed, so the writers of all nodes took turns on
-- those few rows. Now each writer adds to the rows of its own shard (one
-- drawn at start: two writers share one rarely, and then merely wait), and
-- a count is the sum over the shards and what status_counts still holds
-- (nodes of an older version keep adding there while a cluster upgrades).
CREATE TABLE status_count_shards (
  status smallint NOT NULL,
  shard smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (status, shard)
);
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

int postgres_migration_count() { return static_cast<int>(kMigrations.size()); }

Result<void> migrate_postgres(Connection& c, int target) {
  // Session-level: held across the transaction, released whatever its outcome.
  if (auto r = c.query(std::string("SELECT pg_advisory_lock(x'") + kLockKey + "'::bigint)"); !r)
    return r.error();
  auto migrated = migrate_locked(c, target);
  (void)c.query(std::string("SELECT pg_advisory_unlock(x'") + kLockKey + "'::bigint)");
  return migrated;
}

}  // namespace postern::store::postgres
