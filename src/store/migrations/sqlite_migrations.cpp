#include "store/migrations/sqlite_migrations.h"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <string>

#include "store/sqlite/database.h"
#include "store/status_sql.h"

namespace postern::store::migrations {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Ids are time-ordered (core/message_id.h), so id ranges double as time
// ranges and inserts append to the end of each B-tree. Statuses are named
// ({queued}) and numbered by _status_sql (store/status_sql.h): the
// numbers never change, so each migration's text is the one it shipped with.
constexpr std::array kMigrations = {
    Migration{1, R"sql(
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  status INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  window_start INTEGER NOT NULL,          -- start of the retry window (creation or manual retry)
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until INTEGER,
  event_seq INTEGER NOT NULL DEFAULT 0,   -- seq of the newest event
  sender TEXT NOT NULL,
  subject TEXT NOT NULL,
  tags TEXT NOT NULL,                     -- newline-separated
  submitted_by TEXT NOT NULL,
  format INTEGER NOT NULL,
  size INTEGER NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  provider_message_id TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  content BLOB NOT NULL
);
CREATE INDEX messages_by_status ON messages(status, id);
-- Only waiting messages are indexed for the dispatcher, so these indexes
-- stay as small as the queues they serve.
CREATE INDEX messages_queued ON messages(next_attempt_at) WHERE status = {queued};
CREATE INDEX messages_deferred ON messages(next_attempt_at) WHERE status = {deferred};

CREATE TABLE recipients (
  message_id INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  address TEXT NOT NULL,
  kind INTEGER NOT NULL,
  PRIMARY KEY (message_id, idx)
) WITHOUT ROWID;

CREATE TABLE events (
  message_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  status INTEGER NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  class TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT '',
  latency_us INTEGER NOT NULL DEFAULT 0,
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, seq)
) WITHOUT ROWID;

-- Kept by the writer in the same transaction as each status change, so
-- queue depth is one read however large the store grows.
CREATE TABLE status_counts (
  status INTEGER PRIMARY KEY,
  n INTEGER NOT NULL
);
INSERT INTO status_counts(status, n) VALUES ({queued},0),({sending},0),({sent},0),({deferred},0),
  ({failed},0),({cancelled},0),({quarantined},0);

CREATE TABLE api_keys (
  name TEXT PRIMARY KEY,
  secret_hash BLOB NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE smtp_users (
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  request_hash BLOB NOT NULL,
  message_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
)sql"_status_sql},
    Migration{2, R"sql(
-- The content apart from the row the dispatcher updates: SQLite rewrites a
-- whole record when an UPDATE changes its size (the lease owner is set, then
-- cleared), so each attempt wrote every message's content twice more.
CREATE TABLE message_content (
  message_id INTEGER PRIMARY KEY,
  content BLOB NOT NULL
);
INSERT INTO message_content(message_id, content) SELECT id, content FROM messages;
ALTER TABLE messages DROP COLUMN content;
)sql"_status_sql},
    Migration{3, R"sql(
-- Content written from now on lies in the content log beside the database
-- (store/sqlite/content_log.h); the row says where, and its content column
-- stays empty. Rows written before keep their content inline (log_segment NULL).
ALTER TABLE message_content ADD COLUMN log_segment INTEGER;
ALTER TABLE message_content ADD COLUMN log_offset INTEGER;
ALTER TABLE message_content ADD COLUMN log_length INTEGER;
ALTER TABLE message_content ADD COLUMN log_crc32c INTEGER;
)sql"_status_sql},
    Migration{4, R"sql(
-- Where content lies, in the message's own row: four integers, written
-- with it, instead of a row of its own in message_content (one B-tree
-- insert less per message on the writer, which bounds intake). Rows
-- written before keep theirs in message_content (log_segment NULL here).
ALTER TABLE messages ADD COLUMN log_segment INTEGER;
ALTER TABLE messages ADD COLUMN log_offset INTEGER;
ALTER TABLE messages ADD COLUMN log_length INTEGER;
ALTER TABLE messages ADD COLUMN log_crc32c INTEGER;
)sql"_status_sql},
    Migration{5, R"sql(
-- The recipients and the "accepted" event in the message's own row too,
-- and no status index entry for queued messages: three B-tree inserts
-- less per message on the writer, which bounds intake.
-- Recipients are encoded by store/codec.h (a line per recipient, its
-- kind's digit before the address); the accepted event (seq 0 of the
-- timeline) is read from created_at, source and submitted_by, of which its
-- detail ("via SOURCE by SUBMITTER") was always made. Rows written before
-- are converted here, so every message reads one way.
ALTER TABLE messages ADD COLUMN recipients TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN source TEXT NOT NULL DEFAULT '';
-- A window ordered by idx fixes group_concat's order (a plain aggregate's
-- order is undefined); every row of a message carries the same list.
UPDATE messages SET recipients = r.list FROM (
  SELECT message_id, group_concat(kind || address, char(10)) OVER (
    PARTITION BY message_id ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS list
  FROM recipients) AS r
WHERE messages.id = r.message_id;
UPDATE messages SET source = substr(e.detail, 5,
    CASE WHEN instr(e.detail, ' by ') > 0 THEN instr(e.detail, ' by ') - 5 ELSE length(e.detail) END)
FROM events AS e
WHERE e.message_id = messages.id AND e.seq = 0 AND e.detail LIKE 'via %';
DELETE FROM events WHERE seq = 0;
DROP TABLE recipients;
-- Queued messages leave messages_by_status out: a new message then costs
-- no insert there (messages_queued already indexes it), and a lease one
-- insert instead of a delete and an insert. Queries through it say
-- "status <> {queued}"; listing queued messages reads messages_queued or the rows
-- (store/sqlite/reader.cpp).
DROP INDEX messages_by_status;
CREATE INDEX messages_by_status ON messages(status, id) WHERE status <> {queued};
)sql"_status_sql},
    Migration{6, R"sql(
-- Recipients an attempt was done with while the message was not (an SMTP
-- relay took some recipients and deferred others): an address a line, in
-- the order attempts settled them. Leases leave them out, so a retry goes
-- only to the recipients still waiting.
ALTER TABLE messages ADD COLUMN settled TEXT NOT NULL DEFAULT '';
)sql"_status_sql},
    Migration{7, R"sql(
-- Settled recipients refused for good (5xx, inactive at Postmark), kept
-- apart from those that have the message (settled, from now on): leases
-- leave out both, and a manual retry empties this list, so it goes to the
-- refused recipients again and never to one that has the message.
ALTER TABLE messages ADD COLUMN refused TEXT NOT NULL DEFAULT '';
)sql"_status_sql},
    Migration{8, R"sql(
-- The test inbox (store/inbox_store.h, docs/inbox.md "Storage"). Times are
-- Unix milliseconds, as in the gateway's tables. Ids of accounts and
-- mailboxes never come back (AUTOINCREMENT): an IMAP session that holds the
-- id of a deleted mailbox must not find a new one under it.
CREATE TABLE inbox_accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user TEXT NOT NULL UNIQUE,
  address TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  retention_s INTEGER NOT NULL,
  quota_bytes INTEGER NOT NULL,            -- 0: no limit
  used_bytes INTEGER NOT NULL DEFAULT 0,   -- kept by the entry triggers below
  catch_all INTEGER NOT NULL
);
-- Accounts that can expire for lack of use (expire() reads them in order).
CREATE INDEX inbox_accounts_by_use ON inbox_accounts(last_used_at) WHERE catch_all = 0;

-- name_key is the name with INBOX in any case spelt "INBOX", so that the
-- unique index refuses a second INBOX however it is written.
-- forgotten_below: the highest modseq of the expunge tombstones already
-- pruned; changes_since an older modseq is incomplete.
CREATE TABLE inbox_mailboxes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account INTEGER NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  uid_validity INTEGER NOT NULL,
  uid_next INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 0,
  forgotten_below INTEGER NOT NULL DEFAULT 0,
  subscribed INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX inbox_mailboxes_by_name ON inbox_mailboxes(account, name_key);

-- The last UIDVALIDITY handed out: a new mailbox takes the larger of the
-- next one and the time in seconds, so that a mailbox deleted and created
-- again never shows a client its old UIDVALIDITY.
CREATE TABLE inbox_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_uid_validity INTEGER NOT NULL
);
INSERT INTO inbox_state(id, last_uid_validity) VALUES (1, 0);

-- A message's bytes (in the content log, as messages' are) and what the
-- inbox keeps of it, once however many entries refer to it (refs).
CREATE TABLE inbox_blobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  refs INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL,
  source INTEGER,                          -- gateway message id it was caught from
  log_segment INTEGER NOT NULL,
  log_offset INTEGER NOT NULL,
  log_length INTEGER NOT NULL,
  log_crc32c INTEGER NOT NULL,
  from_text TEXT NOT NULL,
  to_text TEXT NOT NULL,
  cc_text TEXT NOT NULL,
  subject TEXT NOT NULL,
  message_id TEXT NOT NULL,
  date INTEGER,
  has_attachments INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  body_structure TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX inbox_blobs_by_source ON inbox_blobs(source) WHERE source IS NOT NULL;
-- The decoded text, for searching only, apart: it is the longest part of a
-- summary (often longer than a page), and FETCH of ENVELOPE or
-- BODYSTRUCTURE over a whole mailbox then reads small blob rows, many to
-- a page, instead of stepping over it in each.
CREATE TABLE inbox_blob_texts (
  blob INTEGER PRIMARY KEY,
  text TEXT NOT NULL
);
CREATE TRIGGER inbox_blob_removed AFTER DELETE ON inbox_blobs BEGIN
  DELETE FROM inbox_blob_texts WHERE blob = OLD.id;
END;

-- One message in one mailbox. WITHOUT ROWID: the rows of a mailbox lie
-- together in UID order, so reading a whole mailbox is one range of the
-- primary key (no second lookup per row). size is the blob's, kept here so
-- that listing and counting never read blobs.
CREATE TABLE inbox_entries (
  mailbox INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  blob INTEGER NOT NULL,
  flags INTEGER NOT NULL,                  -- SystemFlag bits
  modseq INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (mailbox, uid)
) WITHOUT ROWID;
CREATE INDEX inbox_entries_by_modseq ON inbox_entries(mailbox, modseq);
CREATE INDEX inbox_entries_by_date ON inbox_entries(mailbox, internal_date);
CREATE INDEX inbox_entries_by_blob ON inbox_entries(blob);

CREATE TABLE inbox_keywords (
  mailbox INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  keyword TEXT NOT NULL,
  PRIMARY KEY (mailbox, uid, keyword)
) WITHOUT ROWID;

-- Expunged UIDs, for changes_since; pruned after a while (forgotten_below).
CREATE TABLE inbox_expunged (
  mailbox INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (mailbox, modseq, uid)
) WITHOUT ROWID;
CREATE INDEX inbox_expunged_by_age ON inbox_expunged(at);

-- Every path that adds or removes an entry (delivery, copy, move, expunge,
-- expiry, deleting a mailbox or an account) keeps the blob's reference
-- count and the account's used bytes through these, so none can forget.
-- A blob whose last entry goes is deleted; its bytes go with the next
-- reclaim of the content log.
CREATE TRIGGER inbox_entry_added AFTER INSERT ON inbox_entries BEGIN
  UPDATE inbox_blobs SET refs = refs + 1 WHERE id = NEW.blob;
  UPDATE inbox_accounts SET used_bytes = used_bytes + NEW.size
    WHERE id = (SELECT account FROM inbox_mailboxes WHERE id = NEW.mailbox);
END;
CREATE TRIGGER inbox_entry_removed AFTER DELETE ON inbox_entries BEGIN
  DELETE FROM inbox_keywords WHERE mailbox = OLD.mailbox AND uid = OLD.uid;
  UPDATE inbox_accounts SET used_bytes = used_bytes - OLD.size
    WHERE id = (SELECT account FROM inbox_mailboxes WHERE id = OLD.mailbox);
  DELETE FROM inbox_blobs WHERE id = OLD.blob AND refs = 1;
  UPDATE inbox_blobs SET refs = refs - 1 WHERE id = OLD.blob;
END;
)sql"_status_sql},
    Migration{9, R"sql(
-- Mail sent with a test account's credentials is caught into that
-- account's INBOX and never relayed (docs/inbox.md "How mail is caught"):
-- the account's id, or 0 for ordinary mail. Not a foreign key: a message
-- outlives a deleted account (its capture then fails, and says why).
ALTER TABLE messages ADD COLUMN catch_account INTEGER NOT NULL DEFAULT 0;
)sql"_status_sql},
    Migration{10, R"sql(
-- An API key bound to a test account (docs/inbox.md "Sending over HTTP"):
-- the mail it sends is caught into that account's INBOX. The account's
-- id, or 0 for an ordinary key. Deleting the account deletes its keys in
-- the same transaction (store/sqlite/inbox_writer.cpp), hence the index.
ALTER TABLE api_keys ADD COLUMN catch_account INTEGER NOT NULL DEFAULT 0;
CREATE INDEX api_keys_by_catch_account ON api_keys(catch_account) WHERE catch_account != 0;
)sql"_status_sql},
    Migration{11, R"sql(
-- Provider events and the suppression list (store/event_store.h,
-- docs/events.md "Storage"). Times are Unix milliseconds.

-- Recipients left out at intake because they were on the suppression list:
-- an address a line (store/codec.h), as settled and refused. Leases
-- leave them out.
ALTER TABLE messages ADD COLUMN suppressed TEXT NOT NULL DEFAULT '';
-- The recipient a provider event in the timeline is about ('' for the others).
ALTER TABLE events ADD COLUMN recipient TEXT NOT NULL DEFAULT '';

-- key: store::suppression_key(address) (domain lower-cased, local part as
-- given); address as first given. reason: bounced, complained, inactive,
-- manual. message_id: the message whose event put it there, or NULL.
CREATE TABLE suppressions (
  key TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  reason TEXT NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  message_id INTEGER,
  detail TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Every provider event recorded, once (UNIQUE: a retried or duplicated
-- delivery of the same report is a duplicate). message_id is NULL while no
-- message is known by its ids (unmatched); type by name
-- (events::to_str). id: arrival order, never reused (the cursor of the
-- unmatched list).
CREATE TABLE provider_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  message_id INTEGER,
  recipient TEXT NOT NULL,
  type TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  provider_message_id TEXT NOT NULL DEFAULT '',
  postern_id TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  UNIQUE (provider, dedupe_key)
);
CREATE INDEX provider_events_by_message ON provider_events(message_id)
  WHERE message_id IS NOT NULL;
-- Unmatched events only: those a send call's answer may name later, and
-- the list of them, newest first.
CREATE INDEX provider_events_waiting ON provider_events(provider, provider_message_id)
  WHERE message_id IS NULL;
CREATE INDEX provider_events_unmatched ON provider_events(id) WHERE message_id IS NULL;

-- The message each send call's answer named (AttemptRecord::
-- provider_message_id): a message sent in parts has several.
CREATE TABLE provider_message_ids (
  provider TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  PRIMARY KEY (provider, provider_message_id)
) WITHOUT ROWID;
CREATE INDEX provider_message_ids_by_message ON provider_message_ids(message_id);

-- Each recipient's state as its provider last reported it (the event with
-- the latest time wins); address as the message's envelope spells it.
CREATE TABLE recipient_states (
  message_id INTEGER NOT NULL,
  address TEXT NOT NULL,
  state TEXT NOT NULL,
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, address)
) WITHOUT ROWID;
)sql"_status_sql},
    Migration{12, R"sql(
-- Webhooks out (store/webhook_store.h, docs/events.md "Webhooks out:
-- storage"). Times are Unix milliseconds (0: none); types, statuses and
-- states are stored by name.

-- The user's endpoints. events: the types it subscribes to, a line each
-- ('' for all). cursor: the id of the last webhook event fanned out to it.
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT NOT NULL DEFAULT '',
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_at INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT NOT NULL DEFAULT '',
  failing_since INTEGER NOT NULL DEFAULT 0,
  cursor INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The state changes to tell endpoints about, written only while an enabled
-- endpoint subscribes to their type. AUTOINCREMENT: an id (the
-- webhook-id header) is never given again, and stays above every cursor
-- after retention deleted the newest events.
CREATE TABLE webhook_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  recipient TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  provider TEXT NOT NULL DEFAULT '',
  class TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);

-- One event queued to one endpoint, with its last attempt's outcome.
-- message_id repeats the event's, for the order per message. state:
-- pending, delivered, failed.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  last_latency_us INTEGER NOT NULL DEFAULT 0
);
-- The delivery log, newest first, and deleting an endpoint's queue.
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries(endpoint_id, id);
-- Pending ones only, so the sender's queries stay as small as the queue:
-- due ones oldest first, the earlier pending one of the same message, and
-- the next due time.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries(endpoint_id, id, next_attempt_at)
  WHERE state = 'pending';
CREATE INDEX webhook_deliveries_pending_by_message
  ON webhook_deliveries(endpoint_id, message_id, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_next ON webhook_deliveries(endpoint_id, next_attempt_at)
  WHERE state = 'pending';
-- Retention: ended deliveries by the time of their last attempt, and the
-- events still referred to.
CREATE INDEX webhook_deliveries_ended ON webhook_deliveries(last_attempt_at)
  WHERE state <> 'pending';
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries(event_id);
)sql"},
    // Providers and routing settings changed at run time (store/routing_store.h).
    Migration{13, R"sql(
CREATE TABLE runtime_providers (
  name TEXT PRIMARY KEY,
  source TEXT NOT NULL,                   -- api, heartbeat, config
  definition TEXT NOT NULL,               -- JSON, the routing service's
  file_entry TEXT NOT NULL DEFAULT '',
  removed INTEGER NOT NULL DEFAULT 0,
  admin TEXT NOT NULL DEFAULT 'active',
  heartbeat_ttl_ms INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE runtime_routing (
  key TEXT PRIMARY KEY,                   -- strategy, default_pool, routes
  value TEXT NOT NULL,                    -- JSON
  file_value TEXT NOT NULL,               -- JSON: the file's when it was set
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    Migration{14, R"sql(
-- Each start of a node (postern serve), numbered: GET /v1/events ids carry
-- the number in their high bits (routing/event_ids.h), so they increase
-- across restarts and crashes whatever the clock says, and no two starts
-- (of this node or of another sharing the store) give out the same ids.
-- AUTOINCREMENT: a number is never given twice, even if rows are deleted.
-- One small row per start, kept as the node's start log.
CREATE TABLE node_boots (
  boot INTEGER PRIMARY KEY AUTOINCREMENT,
  node TEXT NOT NULL,
  started_at INTEGER NOT NULL
);
)sql"_status_sql},
    Migration{15, R"sql(
-- The message log's search (GET /v1/messages, store/sqlite/message_search.h).
-- A term is "r:" and a recipient's suppression key (the domain lower-cased,
-- the local part as given: store/event_store.h), or "t:" and a tag; one row
-- per term of a message, so a search by recipient or tag is one range of
-- this key, newest first, whatever the store holds. The writer adds a
-- message's terms with it and retention deletes them with it
-- (store/sqlite/message_terms.h).
CREATE TABLE message_terms (
  term TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  PRIMARY KEY (term, message_id)
) WITHOUT ROWID;
-- Rows written before: recipients are "<kind digit><address>" lines, tags
-- lines (store/codec.h). rtrim(a, <a without its '@'s>) keeps a up
-- to its last '@', where suppression keys split too.
WITH RECURSIVE split(id, kind, item, rest) AS (
  SELECT id, 'r', NULL, recipients || char(10) FROM messages WHERE recipients <> ''
  UNION ALL
  SELECT id, 't', NULL, tags || char(10) FROM messages WHERE tags <> ''
  UNION ALL
  SELECT id, kind, substr(rest, 1, instr(rest, char(10)) - 1),
         substr(rest, instr(rest, char(10)) + 1)
  FROM split WHERE rest <> ''
),
terms(id, kind, value) AS (
  SELECT id, kind, CASE kind WHEN 'r' THEN substr(item, 2) ELSE item END
  FROM split WHERE item IS NOT NULL AND item <> ''
)
INSERT OR IGNORE INTO message_terms(term, message_id)
SELECT kind || ':' || CASE
    WHEN kind = 't' OR instr(value, '@') = 0 THEN value
    ELSE rtrim(value, replace(value, '@', '')) ||
         lower(substr(value, length(rtrim(value, replace(value, '@', ''))) + 1))
  END, id
FROM terms;
-- The provider of the last attempt: messages that had none yet are left
-- out, so intake pays no insert here.
CREATE INDEX messages_by_provider ON messages(provider, id) WHERE provider <> '';
-- The status in the queued index's entries too, so that a search of queued
-- messages (store/sqlite/reader.cpp) and a lease read their ids from the
-- index alone (a covering index) instead of every queued row.
DROP INDEX messages_queued;
CREATE INDEX messages_queued ON messages(next_attempt_at, status) WHERE status = {queued};
)sql"_status_sql},
    Migration{16, R"sql(
-- Keys that expire and are rotated, and when each was last used
-- (docs/operations.md "Abuse limits"). Times are Unix milliseconds; NULL:
-- never expires, never used, no previous secret.
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
-- After a rotation the previous secret's hash keeps working until
-- previous_valid_until (the grace period).
ALTER TABLE api_keys ADD COLUMN previous_hash BLOB;
ALTER TABLE api_keys ADD COLUMN previous_valid_until INTEGER;
CREATE UNIQUE INDEX api_keys_by_previous_hash ON api_keys(previous_hash)
  WHERE previous_hash IS NOT NULL;
)sql"_status_sql},
    Migration{17, R"sql(
-- Each provider's health as each node sees it (store/routing_store.h,
-- docs/routing.md "Health on several nodes"): a node writes its own rows.
-- Times are Unix milliseconds; success_ppm NULL: no answers lately.
CREATE TABLE provider_health (
  node TEXT NOT NULL,
  provider TEXT NOT NULL,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  since INTEGER NOT NULL,
  latency_us INTEGER NOT NULL DEFAULT 0,
  success_ppm INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (node, provider)
) WITHOUT ROWID;
)sql"_status_sql},
};

Result<int> current_version(sqlite::Database& db) {
  if (auto r = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                       "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      !r) {
    return r.error();
  }
  auto stmt = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  return static_cast<int>(stmt->column_int(0));
}

}  // namespace

int sqlite_schema_version() { return kMigrations.back().version; }

Result<void> migrate_sqlite(sqlite::Database& db, int target) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return r.error();
  auto rollback = [&](error_code ec) -> Result<void> {
    (void)db.exec("ROLLBACK");
    return ec;
  };
  auto version = current_version(db);
  if (!version) return rollback(version.error());
  if (*version > sqlite_schema_version()) return rollback(Errc::conflict);
  for (const auto& m : kMigrations) {
    if (m.version <= *version || m.version > target) continue;
    // Some versions rewrite every message row (version 5: about 10 s per
    // million messages here), so an operator watching a slow start knows
    // why. A new store's versions are not news.
    const bool upgrading = *version > 0;
    if (upgrading) spdlog::info("store: migrating the schema to version {}", m.version);
    auto started = std::chrono::steady_clock::now();
    if (auto r = db.exec(m.sql); !r) return rollback(r.error());
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    if (upgrading)
      spdlog::info("store: schema version {} applied in {:.1f} s", m.version, took.count());
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    if (auto r = db.exec("INSERT INTO schema_migrations(version, applied_at) VALUES (" +
                         std::to_string(m.version) + ", " + std::to_string(now) + ")");
        !r) {
      return rollback(r.error());
    }
  }
  if (auto r = db.exec("COMMIT"); !r) return rollback(r.error());
  return {};
}

}  // namespace postern::store::migrations
