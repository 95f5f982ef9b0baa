#include "store/postgres/writer.h"

#include <algorithm>
#include <random>

#include "store/attempt_record.h"
#include "store/codec.h"
#include "store/postgres/pg_cluster_link.h"
#include "store/postgres/row_arrays.h"
#include "store/reclaimed_event.h"
#include "store/status_sql.h"

namespace postern::store::postgres {

namespace {

std::int64_t id_of(MessageId id) { return static_cast<std::int64_t>(id.value()); }

// The columns a lease answers, in this order (lease_from reads them).
constexpr const char* kLeasedColumns =
    "m.id, postern_ms(m.created_at), postern_ms(m.window_start), m.attempts, m.format, m.sender, "
    "m.tags, m.provider, m.recipients, m.settled, m.refused, m.catch_account, m.suppressed, "
    "m.next_attempt_at";

using Col = RowStatement::Type;

// Events, each a row (row_arrays.h).
const RowStatement kNewEvents{
    "INSERT INTO events(message_id, seq, at, type, status, provider, class, code, latency_us, "
    "detail, recipient) SELECT message_id, seq, postern_ts(at), type, status, provider, class, "
    "code, latency_us, detail, recipient FROM unnest($1::int8[], $2::int8[], $3::int8[], "
    "$4::text[], $5::int8[], $6::text[], $7::text[], $8::text[], $9::int8[], $10::text[], "
    "$11::text[]) AS v(message_id, seq, at, type, status, provider, class, code, latency_us, "
    "detail, recipient)",
    {Col::int8, Col::int8, Col::int8, Col::text, Col::int8, Col::text, Col::text, Col::text,
     Col::int8, Col::text, Col::text}};

// New messages, each a row (row_arrays.h): a message's row, its search
// terms (schema migration 3) and its content. The rows a group commit
// queues one after another go in one execution.
const RowStatement kNewMessages{
    "WITH v AS (SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], "
    "$5::text[], $6::text[], $7::text[], $8::int8[], $9::int8[], $10::text[], $11::int8[], "
    "$12::text[], $13::bytea[]) AS v(id, at, sender, subject, tags, submitted_by, source, "
    "format, size, recipients, catch_account, suppressed, content)), "
    "m AS (INSERT INTO messages(id, status, created_at, updated_at, window_start, "
    "next_attempt_at, sender, subject, tags, submitted_by, source, format, size, recipients, "
    "catch_account, suppressed) SELECT id, {queued}, postern_ts(at), postern_ts(at), "
    "postern_ts(at), postern_ts(at), sender, subject, tags, submitted_by, source, format, size, "
    "recipients, catch_account, suppressed FROM v), "
    "t AS (INSERT INTO message_terms(term, message_id) "
    "SELECT term, v.id FROM v, postern_message_terms(v.recipients, v.tags) AS term) "
    "INSERT INTO message_content(message_id, content) SELECT id, content FROM v"_status_sql,
    {Col::int8, Col::int8, Col::text, Col::text, Col::text, Col::text, Col::text, Col::int8,
     Col::int8, Col::text, Col::int8, Col::text, Col::bytea}};

// Due messages of one queue, oldest due first, locked for this transaction;
// SKIP LOCKED: rows another node is leasing right now are left to it
// rather than waited for. Of those ($4 at most), the ones whose content
// sizes, summed in that order, stay within $5 bytes, the first taken
// whatever its size when $6 (store.h LeaseLimits): the window cannot sit
// beside FOR UPDATE, so it runs over the locked rows, and the few of them
// past the cap stay locked, unleased, until the transaction ends. Then the
// content of each, as raw bytes.
std::string lease_sql(MessageStatus from) {
  auto status = std::to_string(static_cast<int>(from));
  return "WITH locked AS (SELECT id, size, next_attempt_at FROM messages WHERE status = " + status +
         " AND next_attempt_at <= postern_ts($3) ORDER BY next_attempt_at LIMIT $4 "
         "FOR UPDATE SKIP LOCKED), "
         "due AS (SELECT id FROM (SELECT id, row_number() OVER w AS n, sum(size) OVER w AS running "
         "FROM locked WINDOW w AS (ORDER BY next_attempt_at, id ROWS UNBOUNDED PRECEDING)) r "
         "WHERE running <= $5 OR (n = 1 AND $6 = 1)), "
         "leased AS (UPDATE messages m SET status = " +
         std::to_string(static_cast<int>(MessageStatus::sending)) +
         ", lease_owner = $1, lease_until = postern_ts($2), updated_at = postern_ts($3) "
         "FROM due WHERE m.id = due.id RETURNING " +
         kLeasedColumns +
         ") SELECT l.*, c.content FROM leased l LEFT JOIN message_content c ON c.message_id = l.id "
         "ORDER BY l.next_attempt_at, l.id";
}

}  // namespace

Writer::Writer(Connection& c, const Clock& clock, WebhookWriter& webhooks)
    : c_(c),
      clock_(clock),
      webhooks_(webhooks),
      ids_(clock, std::random_device{}()),
      count_shard_(static_cast<int>(std::random_device{}() % kCountShards)) {}

void Writer::move_count(MessageStatus status, std::int64_t delta) {
  pending_counts_[static_cast<std::size_t>(status)] += delta;
  // Every change that queues mail (a new message, a retry, a reclaimed
  // lease) counts it here: the one place to notice it for the other nodes.
  if (status == MessageStatus::queued && delta > 0) work_queued_ = true;
}

void Writer::flush_notice() {
  if (!work_queued_) return;
  work_queued_ = false;
  c_.defer(std::string("NOTIFY ") + kWorkChannel, {});
}

void Writer::flush_counts() {
  for (std::size_t i = 0; i < pending_counts_.size(); ++i) {
    if (pending_counts_[i] == 0) continue;
    c_.defer(
        "INSERT INTO status_count_shards(status, shard, n) VALUES ($1, $3, $2) "
        "ON CONFLICT (status, shard) DO UPDATE SET n = status_count_shards.n + EXCLUDED.n",
        Params()
            .integer(static_cast<std::int64_t>(i))
            .integer(pending_counts_[i])
            .integer(count_shard_));
    pending_counts_[i] = 0;
  }
}

void Writer::insert_event(MessageId id, std::int64_t seq, const Event& e) {
  c_.defer_row(kNewEvents, Params()
                               .integer(id_of(id))
                               .integer(seq)
                               .integer(to_unix_ms(e.at))
                               .text(e.type)
                               .integer(static_cast<std::int64_t>(e.status))
                               .text(e.provider)
                               .text(e.failure_class)
                               .text(e.code)
                               .integer(static_cast<std::int64_t>(e.latency.count()))
                               .text(e.detail)
                               .text(e.recipient));
}

Result<std::optional<EnqueueResult>> Writer::claim_idempotency_key(const NewMessage& m,
                                                                   MessageId id, SystemTime now) {
  auto claimed = c_.query(
      "INSERT INTO idempotency_keys(key, request_hash, message_id, created_at) "
      "VALUES ($1, $2, $3, postern_ts($4)) ON CONFLICT (key) DO NOTHING",
      Params()
          .text(m.idempotency_key)
          .bytes(m.request_hash)
          .integer(id_of(id))
          .integer(to_unix_ms(now)));
  if (!claimed) return claimed.error();
  if (claimed->affected() == 1) return std::optional<EnqueueResult>();
  // Taken (by a committed request, or one earlier in this batch): the same
  // body replays its answer. A key whose message retention deleted is
  // taken up by the new message, as in SQLite.
  auto earlier = c_.query(
      "SELECT i.request_hash = $2, i.message_id, m.status FROM idempotency_keys i "
      "LEFT JOIN messages m ON m.id = i.message_id WHERE i.key = $1 FOR UPDATE OF i",
      Params().text(m.idempotency_key).bytes(m.request_hash));
  if (!earlier) return earlier.error();
  if (earlier->size() == 0) return Errc::storage_unavailable;  // deleted meanwhile: try again
  if (earlier->null(0, 2)) {
    auto taken = c_.query(
        "UPDATE idempotency_keys SET request_hash = $2, message_id = $3, created_at = "
        "postern_ts($4) WHERE key = $1",
        Params()
            .text(m.idempotency_key)
            .bytes(m.request_hash)
            .integer(id_of(id))
            .integer(to_unix_ms(now)));
    if (!taken) return taken.error();
    return std::optional<EnqueueResult>();
  }
  if (earlier->view(0, 0) != "t") return Errc::conflict;
  return std::optional<EnqueueResult>(
      EnqueueResult{MessageId(static_cast<std::uint64_t>(earlier->integer(0, 1))),
                    static_cast<MessageStatus>(earlier->integer(0, 2)), true});
}

Result<EnqueueResult> Writer::enqueue(const NewMessage& m) {
  auto now = clock_.now();
  // Ids are made here, not by the database, so a new message needs no
  // answer from it and its rows can wait for the pipelined commit. Two
  // nodes may draw the same id in the same millisecond (rarely): the batch
  // then fails, and the group committer applies each write again alone,
  // drawing new ids.
  auto id = ids_.next();
  if (!m.idempotency_key.empty()) {
    auto earlier = claim_idempotency_key(m, id, now);
    if (!earlier) return earlier.error();
    if (*earlier) return **earlier;
  }
  c_.defer_row(kNewMessages, Params()
                                 .integer(id_of(id))
                                 .integer(to_unix_ms(now))
                                 .text(m.envelope.sender)
                                 .text(m.subject)
                                 .text(join_lines(m.tags))
                                 .text(m.submitted_by)
                                 .text(m.source)
                                 .integer(static_cast<std::int64_t>(m.format))
                                 .integer(static_cast<std::int64_t>(m.content.size()))
                                 .text(join_recipients(m.envelope.recipients))
                                 .integer(m.catch_account)
                                 .text(join_lines(m.suppressed))
                                 .bytes(m.content));
  move_count(MessageStatus::queued, 1);
  if (auto r = tell_accepted(webhooks_, id, now, m); !r) return r.error();
  return EnqueueResult{id, MessageStatus::queued, false};
}

Result<std::size_t> Writer::lease_from(MessageStatus from, const std::string& owner, SystemTime now,
                                       std::chrono::seconds lease, std::size_t limit,
                                       const LeaseRoom& room, std::vector<LeasedMessage>& out) {
  if (limit == 0) return std::size_t{0};
  auto rows = c_.query_raw(lease_sql(from), Params()
                                                .text(owner)
                                                .integer(to_unix_ms(now + lease))
                                                .integer(to_unix_ms(now))
                                                .integer(static_cast<std::int64_t>(limit))
                                                .integer(room.bytes())
                                                .integer(room.oversized_first(out.size()) ? 1 : 0));
  if (!rows) return rows.error();
  auto first = out.size();
  std::vector<bool> readable;
  for (int i = 0; i < rows->size(); ++i) {
    LeasedMessage m;
    m.id = MessageId(static_cast<std::uint64_t>(rows->integer(i, 0)));
    m.created_at = from_unix_ms(rows->integer(i, 1));
    m.window_start = from_unix_ms(rows->integer(i, 2));
    m.attempts = static_cast<int>(rows->integer(i, 3));
    m.format = static_cast<ContentFormat>(rows->integer(i, 4));
    m.envelope.sender = rows->text(i, 5);
    m.tags = split_lines(rows->view(i, 6));
    m.last_provider = rows->text(i, 7);
    m.envelope.recipients = split_recipients(rows->view(i, 8));
    leave_out_suppressed(m.envelope.recipients, rows->view(i, 12));
    leave_out_settled(m.envelope.recipients, rows->view(i, 9), rows->view(i, 10));
    m.catch_account = rows->integer(i, 11);
    readable.push_back(!rows->null(i, 14));
    if (readable.back()) m.content = rows->bytes(i, 14);
    out.push_back(std::move(m));
  }
  auto leased = static_cast<std::int64_t>(out.size() - first);
  move_count(from, -leased);
  move_count(MessageStatus::sending, leased);
  std::size_t kept = first;
  for (auto i = first; i < out.size(); ++i) {
    Result<void> failed;
    if (out[i].envelope.recipients.empty()) {
      // Not an attempt: no provider was asked.
      failed =
          record_attempt(owner, lease_failure(out[i].id, "suppressed", "suppressed",
                                              "every recipient is on the suppression list", false));
    } else if (!readable[i - first]) {
      failed = record_attempt(
          owner, lease_failure(out[i].id, "permanent", "content_unreadable",
                               "the stored content of this message cannot be read", true));
    } else {
      if (kept != i) out[kept] = std::move(out[i]);
      ++kept;
      continue;
    }
    if (!failed) return failed.error();
  }
  out.resize(kept);
  return kept - first;
}

Result<std::vector<LeasedMessage>> Writer::lease(const std::string& owner, SystemTime now,
                                                 std::chrono::seconds lease, LeaseLimits limits) {
  // As in SQLite: due retries get up to half the window first, then fresh
  // mail, then retries again if room is left.
  std::vector<LeasedMessage> out;
  out.reserve(limits.messages);
  LeaseRoom room(limits);
  auto limit = limits.messages;
  for (auto [from, share] :
       {std::pair{MessageStatus::deferred, (limit + 1) / 2},
        std::pair{MessageStatus::queued, limit}, std::pair{MessageStatus::deferred, limit}}) {
    auto first = out.size();
    if (auto r = lease_from(from, owner, now, lease, room.messages(share, first), room, out); !r)
      return r.error();
    room.took(out, first);
  }
  return out;
}

Statement Writer::attempt_statement(const std::string& owner, const AttemptRecord& rec,
                                    SystemTime now) {
  bool ok = rec.next_status == MessageStatus::sent;
  return {
      "UPDATE messages SET status = $3, next_attempt_at = postern_ts($4), "
      "attempts = attempts + $11, updated_at = postern_ts($5), lease_owner = NULL, "
      "lease_until = NULL, provider = $6, provider_message_id = $7, last_error = $8, "
      "settled = CASE WHEN $9 = '' THEN settled WHEN settled = '' THEN $9 "
      "ELSE settled || E'\\n' || $9 END, "
      "refused = CASE WHEN $10 = '' THEN refused WHEN refused = '' THEN $10 "
      "ELSE refused || E'\\n' || $10 END, "
      "event_seq = event_seq + 1 WHERE id = $1 AND status = {sending} AND lease_owner = $2 "
      "RETURNING event_seq, CASE WHEN status = {sent} AND refused <> '' THEN recipients END, "
      "refused"_status_sql,
      Params()
          .integer(id_of(rec.id))
          .text(owner)
          .integer(static_cast<std::int64_t>(rec.next_status))
          .integer(
              to_unix_ms(rec.next_status == MessageStatus::deferred ? rec.next_attempt_at : now))
          .integer(to_unix_ms(now))
          .text(rec.provider)
          .text(rec.provider_message_id)
          .text(ok ? std::string_view() : std::string_view(rec.detail))
          .text(join_lines(delivered_recipients(rec)))
          .text(join_lines(rec.refused_recipients))
          .integer(rec.counts_as_attempt ? 1 : 0)};
}

Result<void> Writer::attempt_recorded(const AttemptRecord& rec, const Rows& row, SystemTime now) {
  // No row: the lease was lost (expired and reclaimed, maybe by another node).
  if (row.size() == 0) return Errc::not_found;
  // Sent, so every recipient not refused has it: all of them are settled,
  // and the manual retry it takes (for the refused) leaves them out.
  if (!row.null(0, 1)) {
    auto reached = split_recipients(row.view(0, 1));
    leave_out_settled(reached, "", row.view(0, 2));
    std::vector<std::string> addresses;
    for (auto& r : reached) addresses.push_back(std::move(r.address));
    c_.defer("UPDATE messages SET settled = $2 WHERE id = $1",
             Params().integer(id_of(rec.id)).text(join_lines(addresses)));
  }
  auto e = attempt_event(rec, now);
  insert_event(rec.id, row.integer(0, 0), e);
  if (auto r = tell_attempt(webhooks_, rec, now); !r) return r;
  if (rec.next_status != MessageStatus::sending) {
    move_count(MessageStatus::sending, -1);
    move_count(rec.next_status, 1);
  }
  return {};
}

Result<void> Writer::record_attempt(const std::string& owner, const AttemptRecord& rec) {
  auto now = clock_.now();
  auto statement = attempt_statement(owner, rec, now);
  auto row = c_.query(statement.sql, statement.params);
  if (!row) return row.error();
  return attempt_recorded(rec, *row, now);
}

Result<std::vector<Result<void>>> Writer::record_attempts(const std::vector<OwnedAttempt>& group) {
  auto now = clock_.now();
  std::vector<Statement> statements;
  statements.reserve(group.size());
  for (const auto& a : group) statements.push_back(attempt_statement(a.owner, a.record, now));
  auto rows = c_.query_each(std::move(statements));
  if (!rows) return rows.error();
  std::vector<Result<void>> outcomes;
  outcomes.reserve(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    auto r = attempt_recorded(group[i].record, (*rows)[i], now);
    // A failure of the store fails the transaction, the group's every attempt.
    if (!r && r.error() != Errc::not_found) return r.error();
    outcomes.push_back(std::move(r));
  }
  return outcomes;
}

Result<MessageStatus> Writer::status_of(MessageId id) {
  auto row = c_.query("SELECT status FROM messages WHERE id = $1", Params().integer(id_of(id)));
  if (!row) return row.error();
  if (row->size() == 0) return Errc::not_found;
  return static_cast<MessageStatus>(row->integer(0, 0));
}

// Which states cancel and retry take is decided here, as in SQLite's
// writer (cancel_retry_states_test.cpp pins it for both): no row back is a
// conflict.
Result<MessageStatus> Writer::cancel(MessageId id) {
  auto before = status_of(id);
  if (!before) return before.error();
  return change_by_request(
      "UPDATE messages SET status = {cancelled}, updated_at = postern_ts($2), "
      "event_seq = event_seq + 1 WHERE id = $1 AND status IN ({queued}, {deferred}, "
      "{quarantined}) RETURNING event_seq"_status_sql,
      id, *before, MessageStatus::cancelled, "cancelled", "", webhook_type("message.cancelled"));
}

Result<MessageStatus> Writer::retry(MessageId id) {
  auto before = status_of(id);
  if (!before) return before.error();
  return change_by_request(
      "UPDATE messages SET status = {queued}, updated_at = postern_ts($2), "
      "next_attempt_at = postern_ts($2), window_start = postern_ts($2), last_error = '', "
      "refused = '', event_seq = event_seq + 1 WHERE id = $1 AND (status IN ({deferred}, "
      "{failed}, {cancelled}, {quarantined}) OR (status = {sent} AND refused <> '')) "
      "RETURNING event_seq"_status_sql,
      id, *before, MessageStatus::queued, "retried",
      "manual retry from " + std::string(to_string(*before)), webhook_type("message.retried"));
}

Result<MessageStatus> Writer::change_by_request(const char* sql, MessageId id, MessageStatus before,
                                                MessageStatus after, std::string type,
                                                std::string detail, WebhookType webhook) {
  auto now = clock_.now();
  auto row = c_.query(sql, Params().integer(id_of(id)).integer(to_unix_ms(now)));
  if (!row) return row.error();
  if (row->size() == 0) return Errc::conflict;
  Event e;
  e.at = now;
  e.type = std::move(type);
  e.status = after;
  e.detail = std::move(detail);
  insert_event(id, row->integer(0, 0), e);
  if (before != after) {
    move_count(before, -1);
    move_count(after, 1);
  }
  if (auto r = tell_request(webhooks_, webhook, id, now, after, e.detail); !r) return r.error();
  return after;
}

Result<std::size_t> Writer::reclaim_leases(const std::string& owner, SystemTime now) {
  std::size_t n = 0;
  if (!owner.empty()) {
    auto owned = requeue_leased("lease_owner = $1", Params().text(owner).integer(to_unix_ms(now)),
                                now, kReclaimedAtStart);
    if (!owned) return owned.error();
    n += *owned;
  }
  auto expired = requeue_leased("lease_until < postern_ts($1)",
                                Params().integer(to_unix_ms(now)).integer(to_unix_ms(now)), now,
                                kReclaimedExpired);
  if (!expired) return expired.error();
  return n + *expired;
}

Result<std::size_t> Writer::requeue_leased(std::string_view which, const Params& params,
                                           SystemTime now, std::string_view why) {
  auto rows = c_.query(
      "UPDATE messages SET status = {queued}, lease_owner = NULL, lease_until = NULL, "
      "updated_at = postern_ts($2), next_attempt_at = postern_ts($2), event_seq = event_seq + 1 "
      "WHERE status = {sending} AND "_status_sql +
          std::string(which) + " RETURNING id, event_seq",
      params);
  if (!rows) return rows.error();
  for (int i = 0; i < rows->size(); ++i) {
    insert_event(MessageId(static_cast<std::uint64_t>(rows->integer(i, 0))), rows->integer(i, 1),
                 reclaimed_event(now, why));
  }
  move_count(MessageStatus::sending, -rows->size());
  move_count(MessageStatus::queued, rows->size());
  return static_cast<std::size_t>(rows->size());
}

Result<std::size_t> Writer::expire_idempotency_keys(SystemTime before) {
  auto r = c_.query("DELETE FROM idempotency_keys WHERE created_at < postern_ts($1)",
                    Params().integer(to_unix_ms(before)));
  if (!r) return r.error();
  return static_cast<std::size_t>(r->affected());
}

Result<std::size_t> Writer::purge_ended(SystemTime before, std::size_t limit) {
  constexpr MessageStatus kEnded[] = {MessageStatus::sent, MessageStatus::failed,
                                      MessageStatus::cancelled};
  auto first_kept = static_cast<std::int64_t>(MessageId::first_at(before).value());
  std::size_t purged = 0;
  for (auto status : kEnded) {
    if (purged >= limit) break;
    // Rows another node holds locked are left for the next round. With
    // each message go its timeline, content and search terms, and what
    // providers reported about it (schema migration 3); the suppression
    // list outlives it.
    // The status is a constant of the text, not a parameter: the writer's
    // plans are generic (postgres_store.cpp), and only a constant lets
    // the plan use messages_by_status, whose rows exclude queued mail.
    auto r = c_.query(
        "WITH gone AS (DELETE FROM messages WHERE id IN (SELECT id FROM messages "
        "WHERE status = " +
            std::to_string(static_cast<int>(status)) +
            " AND id < $1 AND updated_at < postern_ts($2) ORDER BY id LIMIT $3 "
            "FOR UPDATE SKIP LOCKED) RETURNING id, recipients, tags), "
            "e AS (DELETE FROM events WHERE message_id IN (SELECT id FROM gone)), "
            "c AS (DELETE FROM message_content WHERE message_id IN (SELECT id FROM gone)), "
            "t AS (DELETE FROM message_terms mt USING gone g, "
            "postern_message_terms(g.recipients, g.tags) AS x(term) "
            "WHERE mt.term = x.term AND mt.message_id = g.id), "
            "pe AS (DELETE FROM provider_events WHERE message_id IN (SELECT id FROM gone)), "
            "rs AS (DELETE FROM recipient_states WHERE message_id IN (SELECT id FROM gone)), "
            "pm AS (DELETE FROM provider_message_ids WHERE message_id IN (SELECT id FROM gone)) "
            "SELECT count(*) FROM gone",
        Params()
            .integer(first_kept)
            .integer(to_unix_ms(before))
            .integer(static_cast<std::int64_t>(limit - purged)));
    if (!r) return r.error();
    auto n = r->integer(0, 0);
    move_count(status, -n);
    purged += static_cast<std::size_t>(n);
  }
  // Reports that never matched: the send call's answer they waited for
  // comes seconds after them, never a retention period later.
  c_.defer(
      "DELETE FROM provider_events WHERE id IN (SELECT id FROM provider_events "
      "WHERE message_id IS NULL AND received_at < postern_ts($1) ORDER BY id LIMIT $2 "
      "FOR UPDATE SKIP LOCKED)",
      Params().integer(to_unix_ms(before)).integer(static_cast<std::int64_t>(limit)));
  return purged;
}

Result<void> Writer::one_row(const char* sql, const Params& params, Errc if_none) {
  auto r = c_.query(sql, params);
  if (!r) return r.error();
  if (r->affected() == 0) return if_none;
  return {};
}

Result<void> Writer::create_api_key(const StoredApiKey& key) {
  // A key bound to a test account only while the account exists. KEY
  // SHARE: its deletion (which deletes its keys, inbox_writer.cpp) waits
  // for this transaction, and then finds this key.
  if (key.key.catch_account != 0) {
    auto account = c_.query("SELECT 1 FROM inbox_accounts WHERE id = $1 FOR KEY SHARE",
                            Params().integer(key.key.catch_account));
    if (!account) return account.error();
    if (account->size() == 0) return Errc::not_found;
  }
  Params params;
  params.text(key.key.name)
      .bytes(key.secret_hash)
      .text(join_lines(key.key.scopes))
      .integer(to_unix_ms(key.key.created_at))
      .integer(key.key.catch_account);
  if (key.key.expires_at) {
    params.integer(to_unix_ms(*key.key.expires_at));
  } else {
    params.null();  // postern_ts is strict: never expires
  }
  return one_row(
      "INSERT INTO api_keys(name, secret_hash, scopes, created_at, catch_account, expires_at) "
      "VALUES ($1, $2, $3, postern_ts($4), $5, postern_ts($6)) ON CONFLICT DO NOTHING",
      params, Errc::conflict);
}

Result<void> Writer::rotate_api_key(const std::string& name, const std::string& secret_hash,
                                    SystemTime previous_valid_until) {
  return one_row(
      "UPDATE api_keys SET previous_hash = secret_hash, secret_hash = $2, "
      "previous_valid_until = postern_ts($3) WHERE name = $1",
      Params().text(name).bytes(secret_hash).integer(to_unix_ms(previous_valid_until)),
      Errc::not_found);
}

Result<void> Writer::record_api_key_use(const std::vector<ApiKeyUse>& uses) {
  // A later time only, as on SQLite: batches from several nodes may cross.
  for (const auto& use : uses) {
    auto r = c_.query(
        "UPDATE api_keys SET last_used_at = postern_ts($2) WHERE name = $1 AND "
        "(last_used_at IS NULL OR last_used_at < postern_ts($2))",
        Params().text(use.name).integer(to_unix_ms(use.at)));
    if (!r) return r.error();
  }
  return {};
}

Result<void> Writer::delete_api_key(const std::string& name) {
  return one_row("DELETE FROM api_keys WHERE name = $1", Params().text(name), Errc::not_found);
}

Result<void> Writer::create_smtp_user(const SmtpUser& user) {
  return one_row(
      "INSERT INTO smtp_users(name, password_hash, scopes, created_at) "
      "VALUES ($1, $2, $3, postern_ts($4)) ON CONFLICT DO NOTHING",
      Params()
          .text(user.name)
          .text(user.password_hash)
          .text(join_lines(user.scopes))
          .integer(to_unix_ms(user.created_at)),
      Errc::conflict);
}

Result<void> Writer::delete_smtp_user(const std::string& name) {
  return one_row("DELETE FROM smtp_users WHERE name = $1", Params().text(name), Errc::not_found);
}

Result<std::uint64_t> Writer::record_boot(const std::string& node, SystemTime at) {
  auto r = c_.query(
      "INSERT INTO node_boots(node, started_at) VALUES ($1, postern_ts($2)) "
      "RETURNING boot",
      Params().text(node).integer(to_unix_ms(at)));
  if (!r) return r.error();
  return static_cast<std::uint64_t>(r->integer(0, 0));
}

}  // namespace postern::store::postgres
