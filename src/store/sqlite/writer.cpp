#include "store/sqlite/writer.h"

#include <random>

#include "store/attempt_record.h"
#include "store/codec.h"
#include "store/reclaimed_event.h"
#include "store/sqlite/message_terms.h"
#include "store/status_sql.h"

namespace postern::store::sqlite {

struct Writer::Statements {
  Statement find_idempotency;
  Statement insert_idempotency;
  Statement insert_message;
  Statement insert_event;
  Statement status_of;
  Statement count_add;
  Statement lease_queued;
  Statement lease_deferred;
  Statement content_of;
  Statement record_attempt;
  Statement set_settled;
  Statement cancel;
  Statement retry;
  Statement reclaim;
  Statement reclaim_owned;
  Statement expire_idempotency;
  Statement purge_messages;
  Statement purge_events;
  Statement purge_content;
  Statement purge_provider_events;
  Statement purge_recipient_states;
  Statement purge_provider_ids;
  Statement purge_unmatched;
  Statement insert_term;
  Statement purge_term;
  Statement insert_key;
  Statement delete_key;
  Statement rotate_key;
  Statement key_used;
  Statement insert_user;
  Statement delete_user;
  Statement insert_boot;
};

namespace {

Result<Statement> prep(Database& db, const char* sql) { return db.prepare(sql); }

// Leases the due messages of one queue (status `from`, on its partial index
// `index`), oldest due first: at most ?4 of them, and of those the ones
// whose content sizes, summed in that order, stay within ?5 bytes, the
// first taken whatever its size when ?6 (store.h LeaseLimits). The window
// runs over the ?4 rows alone, so a lease reads no more of a deep queue
// than without a byte cap. INDEXED BY because the planner, left alone,
// prefers messages_by_status and sorts the whole queue on every lease:
// with a backlog of 200,000 4 KiB messages that read every row, stalling
// the writer (and so intake) for about a second per lease.
std::string lease_sql(std::string_view index, MessageStatus from) {
  auto status = std::to_string(static_cast<int>(from));
  return "UPDATE messages SET status = " +
         std::to_string(static_cast<int>(MessageStatus::sending)) +
         ", lease_owner = ?1, lease_until = ?2, updated_at = ?3 "
         "WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER w AS n, "
         "sum(size) OVER w AS running FROM (SELECT id, size, next_attempt_at FROM messages "
         "INDEXED BY " +
         std::string(index) + " WHERE status = " + status +
         " AND next_attempt_at <= ?3 ORDER BY next_attempt_at LIMIT ?4) "
         "WINDOW w AS (ORDER BY next_attempt_at, id ROWS UNBOUNDED PRECEDING)) "
         "WHERE running <= ?5 OR (n = 1 AND ?6 = 1)) "
         "RETURNING id, created_at, window_start, attempts, format, sender, tags, provider, "
         "recipients, settled, refused, catch_account, suppressed";
}

}  // namespace

Result<std::unique_ptr<Writer>> Writer::create(Database& db, ContentLog& content,
                                               const Clock& clock, WebhookWriter& webhooks) {
  auto st = std::make_unique<Statements>();
  const auto lease_queued_sql = lease_sql("messages_queued", MessageStatus::queued);
  const auto lease_deferred_sql = lease_sql("messages_deferred", MessageStatus::deferred);
  const auto content_of_sql = "SELECT " + std::string(kStoredContentColumns) + " FROM " +
                              std::string(kStoredContentSource) + " WHERE m.id = ?1";
  struct Entry {
    Statement* slot;
    const char* sql;
  };
  const Entry entries[] = {
      {&st->find_idempotency,
       "SELECT i.request_hash, i.message_id, m.status FROM idempotency_keys i "
       "JOIN messages m ON m.id = i.message_id WHERE i.key = ?1"},
      // REPLACE: a key whose message retention deleted (find_idempotency
      // joins it to nothing) is taken up by the new message.
      {&st->insert_idempotency,
       "INSERT OR REPLACE INTO idempotency_keys(key, request_hash, message_id, created_at) VALUES "
       "(?1, ?2, ?3, ?4)"},
      {&st->insert_message,
       "INSERT INTO messages(id, status, created_at, updated_at, window_start, next_attempt_at, "
       "sender, "
       "subject, tags, submitted_by, format, size, log_segment, log_offset, log_length, "
       "log_crc32c, "
       "recipients, source, catch_account, suppressed) "
       "VALUES (?1, {queued}, ?2, ?2, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
       "?14, ?15, ?16)"_status_sql},
      {&st->content_of, content_of_sql.c_str()},
      {&st->insert_event,
       "INSERT INTO events(message_id, seq, at, type, status, provider, class, code, latency_us, "
       "detail) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&st->status_of, "SELECT status FROM messages WHERE id = ?1"},
      {&st->count_add, "UPDATE status_counts SET n = n + ?2 WHERE status = ?1"},
      // One statement per source queue, each on its partial index (lease_sql).
      {&st->lease_queued, lease_queued_sql.c_str()},
      {&st->lease_deferred, lease_deferred_sql.c_str()},
      {&st->record_attempt,
       "UPDATE messages SET status = ?3, next_attempt_at = ?4, attempts = attempts + ?11, "
       "updated_at = ?5, "
       "lease_owner = NULL, lease_until = NULL, provider = ?6, provider_message_id = ?7, "
       "last_error = ?8, "
       "settled = CASE WHEN ?9 = '' THEN settled WHEN settled = '' THEN ?9 ELSE settled || "
       "char(10) || ?9 END, "
       "refused = CASE WHEN ?10 = '' THEN refused WHEN refused = '' THEN ?10 ELSE refused || "
       "char(10) || ?10 END, "
       "event_seq = event_seq + 1 WHERE id = ?1 AND status = {sending} AND lease_owner = ?2 "
       "RETURNING event_seq, CASE WHEN status = {sent} AND refused <> '' THEN recipients END, "
       "refused"_status_sql},
      {&st->set_settled, "UPDATE messages SET settled = ?2 WHERE id = ?1"},
      // Which states cancel and retry take is decided here alone (store.h
      // and docs/api.md say the same; cancel_retry_states_test.cpp pins
      // it): no row back is a conflict. Quarantined mail takes both: an operator lets
      // retention delete what the gateway cannot decode (Postfix's
      // postsuper -d), or queues it again once a fixed version reads it.
      // Sent mail takes a retry only while some of its recipients were
      // refused for good: the retry goes to them alone (the lease leaves
      // out those in `settled`), never to one that has the message.
      {&st->cancel,
       "UPDATE messages SET status = {cancelled}, updated_at = ?2, event_seq = event_seq + 1 "
       "WHERE id = ?1 AND status IN ({queued}, {deferred}, {quarantined}) "
       "RETURNING event_seq"_status_sql},
      {&st->retry,
       "UPDATE messages SET status = {queued}, updated_at = ?2, next_attempt_at = ?2, "
       "window_start = ?2, last_error = '', refused = '', event_seq = event_seq + 1 "
       "WHERE id = ?1 AND (status IN ({deferred}, {failed}, {cancelled}, {quarantined}) "
       "OR (status = {sent} AND refused <> '')) RETURNING event_seq"_status_sql},
      // "status <> {queued}" lets the partial messages_by_status serve;
      // INDEXED BY makes a query it cannot serve fail to prepare instead of
      // scanning.
      {&st->reclaim,
       "UPDATE messages INDEXED BY messages_by_status SET status = {queued}, lease_owner = NULL, "
       "lease_until = NULL, updated_at = ?2, "
       "next_attempt_at = ?2, event_seq = event_seq + 1 WHERE status = {sending} AND "
       "status <> {queued} AND lease_until < ?1 "
       "RETURNING id, event_seq"_status_sql},
      {&st->reclaim_owned,
       "UPDATE messages INDEXED BY messages_by_status SET status = {queued}, lease_owner = NULL, "
       "lease_until = NULL, updated_at = ?2, "
       "next_attempt_at = ?2, event_seq = event_seq + 1 WHERE status = {sending} AND "
       "status <> {queued} AND lease_owner = ?1 "
       "RETURNING id, event_seq"_status_sql},
      {&st->expire_idempotency, "DELETE FROM idempotency_keys WHERE created_at < ?1"},
      // Ids are time-ordered and a message ends after it was created, so
      // ?2 (the first id of the cut-off time) bounds the index range read.
      // "status <> {queued}" lets the partial index serve (?1 is an ended
      // status).
      {&st->purge_messages,
       "DELETE FROM messages WHERE id IN (SELECT id FROM messages INDEXED BY messages_by_status "
       "WHERE status = ?1 AND status <> {queued} AND id < ?2 AND updated_at < ?3 ORDER BY id "
       "LIMIT ?4) RETURNING id, recipients, tags"_status_sql},
      // The message log's search terms (schema migration 15,
      // store/sqlite/message_terms.h); a repeated one is kept once.
      {&st->insert_term, "INSERT OR IGNORE INTO message_terms(term, message_id) VALUES (?1, ?2)"},
      {&st->purge_term, "DELETE FROM message_terms WHERE term = ?1 AND message_id = ?2"},
      {&st->purge_events, "DELETE FROM events WHERE message_id = ?1"},
      {&st->purge_content, "DELETE FROM message_content WHERE message_id = ?1"},
      // What providers reported about it (schema migration 11).
      {&st->purge_provider_events, "DELETE FROM provider_events WHERE message_id = ?1"},
      {&st->purge_recipient_states, "DELETE FROM recipient_states WHERE message_id = ?1"},
      {&st->purge_provider_ids, "DELETE FROM provider_message_ids WHERE message_id = ?1"},
      // Reports that never matched: the send call's answer they waited for
      // comes seconds after them, never a retention period later.
      {&st->purge_unmatched,
       "DELETE FROM provider_events WHERE id IN (SELECT id FROM provider_events INDEXED BY "
       "provider_events_unmatched WHERE message_id IS NULL AND received_at < ?1 ORDER BY id "
       "LIMIT ?2)"},
      // A bound key only while its account exists: nothing is inserted
      // otherwise (the account's deletion deletes its keys).
      {&st->insert_key,
       "INSERT INTO api_keys(name, secret_hash, scopes, created_at, catch_account, expires_at) "
       "SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE ?5 = 0 OR EXISTS (SELECT 1 FROM inbox_accounts "
       "WHERE id = ?5)"},
      {&st->delete_key, "DELETE FROM api_keys WHERE name = ?1"},
      {&st->rotate_key,
       "UPDATE api_keys SET previous_hash = secret_hash, secret_hash = ?2, "
       "previous_valid_until = ?3 WHERE name = ?1"},
      {&st->key_used,
       "UPDATE api_keys SET last_used_at = ?2 WHERE name = ?1 AND "
       "(last_used_at IS NULL OR last_used_at < ?2)"},
      {&st->insert_user,
       "INSERT INTO smtp_users(name, password_hash, scopes, created_at) VALUES (?1, ?2, ?3, ?4)"},
      {&st->delete_user, "DELETE FROM smtp_users WHERE name = ?1"},
      {&st->insert_boot, "INSERT INTO node_boots(node, started_at) VALUES (?1, ?2) RETURNING boot"},
  };
  for (const auto& e : entries) {
    auto s = prep(db, e.sql);
    if (!s) return s.error();
    *e.slot = std::move(*s);
  }
  return std::unique_ptr<Writer>(new Writer(db, content, clock, webhooks, std::move(st)));
}

Writer::Writer(Database& db, ContentLog& content, const Clock& clock, WebhookWriter& webhooks,
               std::unique_ptr<Statements> statements)
    : db_(db),
      content_(content),
      clock_(clock),
      webhooks_(webhooks),
      ids_(clock, std::random_device{}()),
      st_(std::move(statements)) {}

Writer::~Writer() = default;

Result<void> Writer::count_transition(std::optional<MessageStatus> from, MessageStatus to) {
  if (from && *from == to) return {};
  if (from) move_count(*from, -1);
  move_count(to, 1);
  return {};
}

void Writer::move_count(MessageStatus status, std::int64_t delta) {
  pending_counts_[static_cast<std::size_t>(status)] += delta;
}

Result<void> Writer::flush_counts() {
  for (std::size_t i = 0; i < pending_counts_.size(); ++i) {
    if (pending_counts_[i] == 0) continue;
    if (auto r =
            st_->count_add.bind(1, static_cast<std::int64_t>(i)).bind(2, pending_counts_[i]).run();
        !r)
      return r;
    pending_counts_[i] = 0;
  }
  return {};
}

void Writer::discard_counts() { pending_counts_.fill(0); }

Result<void> Writer::insert_event(MessageId id, std::int64_t seq, const Event& e) {
  return st_->insert_event.bind(1, static_cast<std::int64_t>(id.value()))
      .bind(2, seq)
      .bind(3, to_unix_ms(e.at))
      .bind(4, e.type)
      .bind(5, static_cast<std::int64_t>(e.status))
      .bind(6, e.provider)
      .bind(7, e.failure_class)
      .bind(8, e.code)
      .bind(9, static_cast<std::int64_t>(e.latency.count()))
      .bind(10, e.detail)
      .run();
}

Result<MessageStatus> Writer::status_of(MessageId id) {
  return st_->status_of.bind(1, static_cast<std::int64_t>(id.value()))
      .one_row(Errc::not_found,
               [](Statement& row) { return static_cast<MessageStatus>(row.column_int(0)); });
}

Result<std::string> Writer::content_of(MessageId id) {
  return st_->content_of.bind(1, static_cast<std::int64_t>(id.value()))
      .one_row(Errc::not_found, [&](Statement& row) { return stored_content(row, 0, content_); });
}

Result<EnqueueResult> Writer::enqueue(const NewMessage& m) {
  auto now = clock_.now();
  if (!m.idempotency_key.empty()) {
    // An earlier request with this key: the same body replays its answer.
    auto earlier =
        st_->find_idempotency.bind(1, m.idempotency_key)
            .one_row(Errc::not_found, [&](Statement& row) -> Result<EnqueueResult> {
              if (row.column_view(0) != m.request_hash) return Errc::conflict;
              return EnqueueResult{MessageId(static_cast<std::uint64_t>(row.column_int(1))),
                                   static_cast<MessageStatus>(row.column_int(2)), true};
            });
    if (earlier || earlier.error() != Errc::not_found) return earlier;
  }
  auto id = ids_.next();
  auto id_value = static_cast<std::int64_t>(id.value());
  auto tags = join_lines(m.tags);
  auto suppressed = join_lines(m.suppressed);
  auto where = content_.append(m.content);
  if (!where) return where.error();
  if (auto r = st_->insert_message.bind(1, id_value)
                   .bind(2, to_unix_ms(now))
                   .bind(3, m.envelope.sender)
                   .bind(4, m.subject)
                   .bind(5, tags)
                   .bind(6, m.submitted_by)
                   .bind(7, static_cast<std::int64_t>(m.format))
                   .bind(8, static_cast<std::int64_t>(m.content.size()))
                   .bind(9, static_cast<std::int64_t>(where->segment))
                   .bind(10, static_cast<std::int64_t>(where->offset))
                   .bind(11, static_cast<std::int64_t>(where->length))
                   .bind(12, static_cast<std::int64_t>(where->crc32c))
                   .bind(13, join_recipients(m.envelope.recipients))
                   .bind(14, m.source)  // with created_at and submitted_by: the accepted event
                   .bind(15, m.catch_account)
                   .bind(16, suppressed)
                   .run();
      !r) {
    return r.error();
  }
  for (const auto& term : message_terms(m.envelope.recipients, m.tags)) {
    if (auto r = st_->insert_term.bind(1, term).bind(2, id_value).run(); !r) return r.error();
  }
  if (!m.idempotency_key.empty()) {
    if (auto r = st_->insert_idempotency.bind(1, m.idempotency_key)
                     .bind_blob(2, m.request_hash)
                     .bind(3, id_value)
                     .bind(4, to_unix_ms(now))
                     .run();
        !r) {
      return r.error();
    }
  }
  if (auto r = count_transition(std::nullopt, MessageStatus::queued); !r) return r.error();
  if (auto r = tell_accepted(webhooks_, id, now, m); !r) return r.error();
  return EnqueueResult{id, MessageStatus::queued, false};
}

Result<std::size_t> Writer::lease_from(Statement& s, MessageStatus from, const std::string& owner,
                                       SystemTime now, std::chrono::seconds lease,
                                       std::size_t limit, const LeaseRoom& room,
                                       std::vector<LeasedMessage>& out) {
  if (limit == 0) return std::size_t{0};
  s.bind(1, owner)
      .bind(2, to_unix_ms(now + lease))
      .bind(3, to_unix_ms(now))
      .bind(4, static_cast<std::int64_t>(limit))
      .bind(5, room.bytes())
      .bind(6, std::int64_t{room.oversized_first(out.size()) ? 1 : 0});
  std::size_t first = out.size();
  auto done = s.each_row([&](const Statement&) {
    LeasedMessage m;
    m.id = MessageId(static_cast<std::uint64_t>(s.column_int(0)));
    m.created_at = from_unix_ms(s.column_int(1));
    m.window_start = from_unix_ms(s.column_int(2));
    m.attempts = static_cast<int>(s.column_int(3));
    m.format = static_cast<ContentFormat>(s.column_int(4));
    m.envelope.sender = s.column_text(5);
    m.tags = split_lines(s.column_view(6));
    m.last_provider = s.column_text(7);
    m.envelope.recipients = split_recipients(s.column_view(8));
    // No provider is ever asked to send to a suppressed recipient; one
    // whose every recipient is suppressed is left with none, and fails below.
    leave_out_suppressed(m.envelope.recipients, s.column_view(12));
    leave_out_settled(m.envelope.recipients, s.column_view(9), s.column_view(10));
    m.catch_account = s.column_int(11);
    out.push_back(std::move(m));
  });
  if (!done) return done.error();
  auto leased = static_cast<std::int64_t>(out.size() - first);
  if (leased > 0) {
    move_count(from, -leased);
    move_count(MessageStatus::sending, leased);
  }
  for (auto i = first; i < out.size();) {
    if (out[i].envelope.recipients.empty()) {
      // Not an attempt: no provider was asked.
      if (auto r = fail_leased(owner, out[i].id, "suppressed", "suppressed",
                               "every recipient is on the suppression list", false);
          !r)
        return r.error();
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    auto content = content_of(out[i].id);
    if (!content && content.error() == Errc::corrupt) {
      // One unreadable message must not stall the queue behind it: it
      // fails at once, with the reason in its timeline.
      if (auto r = fail_leased(owner, out[i].id, "permanent", "content_unreadable",
                               "the stored content of this message cannot be read", true);
          !r)
        return r.error();
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!content) return content.error();
    out[i].content = std::move(*content);
    ++i;
  }
  return out.size() - first;
}

Result<void> Writer::fail_leased(const std::string& owner, MessageId id, std::string failure_class,
                                 std::string code, std::string detail, bool counts_as_attempt) {
  return record_attempt(owner, lease_failure(id, std::move(failure_class), std::move(code),
                                             std::move(detail), counts_as_attempt));
}

Result<std::vector<LeasedMessage>> Writer::lease(const std::string& owner, SystemTime now,
                                                 std::chrono::seconds lease, LeaseLimits limits) {
  // Due retries get up to half the window first, then fresh mail, then
  // retries again if room is left: neither queue starves the other
  // (Postfix's qmgr alternates the same way).
  std::vector<LeasedMessage> out;
  out.reserve(limits.messages);
  LeaseRoom room(limits);
  auto limit = limits.messages;
  for (auto [stmt, from, share] :
       {std::tuple{&st_->lease_deferred, MessageStatus::deferred, (limit + 1) / 2},
        std::tuple{&st_->lease_queued, MessageStatus::queued, limit},
        std::tuple{&st_->lease_deferred, MessageStatus::deferred, limit}}) {
    auto first = out.size();
    if (auto r = lease_from(*stmt, from, owner, now, lease, room.messages(share, first), room, out);
        !r)
      return r.error();
    room.took(out, first);
  }
  return out;
}

Result<void> Writer::record_attempt(const std::string& owner, const AttemptRecord& rec) {
  auto now = clock_.now();
  auto& s = st_->record_attempt;
  auto id_value = static_cast<std::int64_t>(rec.id.value());
  bool ok = rec.next_status == MessageStatus::sent;
  // The settled column keeps those that have the message; the refused ones
  // (a part of the record's settled) go to their own, which a manual retry
  // empties. Both strings are bound without a copy: they live to the step.
  auto refused = join_lines(rec.refused_recipients);
  auto delivered = delivered_recipients(rec);
  auto settled = join_lines(delivered);
  s.bind(1, id_value)
      .bind(2, owner)
      .bind(3, static_cast<std::int64_t>(rec.next_status))
      .bind(4, to_unix_ms(rec.next_status == MessageStatus::deferred ? rec.next_attempt_at : now))
      .bind(5, to_unix_ms(now))
      .bind(6, rec.provider)
      .bind(7, rec.provider_message_id)
      .bind(8, ok ? std::string_view() : std::string_view(rec.detail))
      .bind(9, settled)
      .bind(10, refused)
      .bind(11, static_cast<std::int64_t>(rec.counts_as_attempt ? 1 : 0));
  // No row: the lease was lost (expired and reclaimed). A sent message
  // with refused recipients also answers its recipients and refused list.
  std::optional<std::string> everyone_else;
  auto seq = s.one_row(Errc::not_found, [&](Statement& row) {
    if (!row.column_is_null(1)) {
      auto reached = split_recipients(row.column_view(1));
      leave_out_settled(reached, "", row.column_view(2));
      std::vector<std::string> addresses;
      for (auto& r : reached) addresses.push_back(std::move(r.address));
      everyone_else = join_lines(addresses);
    }
    return row.column_int(0);
  });
  if (!seq) return seq.error();
  // Sent, so every recipient not refused has the message, whichever
  // attempt reached them: all of them are settled, and the manual retry
  // this message takes (for the refused) leaves them out.
  if (everyone_else) {
    if (auto r = st_->set_settled.bind(1, id_value).bind(2, *everyone_else).run(); !r) return r;
  }
  auto e = attempt_event(rec, now);
  if (auto r = insert_event(rec.id, *seq, e); !r) return r;
  if (auto r = tell_attempt(webhooks_, rec, now); !r) return r;
  return count_transition(MessageStatus::sending, rec.next_status);
}

Result<MessageStatus> Writer::cancel(MessageId id) {
  auto before = status_of(id);
  if (!before) return before.error();
  return change_by_request(st_->cancel, id, *before, MessageStatus::cancelled, "cancelled", "",
                           webhook_type("message.cancelled"));
}

Result<MessageStatus> Writer::retry(MessageId id) {
  auto before = status_of(id);
  if (!before) return before.error();
  return change_by_request(st_->retry, id, *before, MessageStatus::queued, "retried",
                           "manual retry from " + std::string(to_string(*before)),
                           webhook_type("message.retried"));
}

Result<MessageStatus> Writer::change_by_request(Statement& change, MessageId id,
                                                MessageStatus before, MessageStatus after,
                                                std::string type, std::string detail,
                                                WebhookType webhook) {
  auto now = clock_.now();
  auto seq = change.bind(1, static_cast<std::int64_t>(id.value()))
                 .bind(2, to_unix_ms(now))
                 .one_row(Errc::conflict, [](Statement& row) { return row.column_int(0); });
  if (!seq) return seq.error();
  Event e;
  e.at = now;
  e.type = std::move(type);
  e.status = after;
  e.detail = std::move(detail);
  if (auto r = insert_event(id, *seq, e); !r) return r.error();
  if (auto r = count_transition(before, after); !r) return r.error();
  if (auto r = tell_request(webhooks_, webhook, id, now, after, e.detail); !r) return r.error();
  return after;
}

Result<std::size_t> Writer::reclaim_leases(const std::string& owner, SystemTime now) {
  std::size_t n = 0;
  if (!owner.empty()) {
    st_->reclaim_owned.bind(1, owner).bind(2, to_unix_ms(now));
    auto owned = requeue_leased(st_->reclaim_owned, now, kReclaimedAtStart);
    if (!owned) return owned.error();
    n += *owned;
  }
  st_->reclaim.bind(1, to_unix_ms(now)).bind(2, to_unix_ms(now));
  auto expired = requeue_leased(st_->reclaim, now, kReclaimedExpired);
  if (!expired) return expired.error();
  return n + *expired;
}

Result<std::size_t> Writer::requeue_leased(Statement& s, SystemTime now, std::string_view why) {
  std::vector<std::pair<MessageId, std::int64_t>> reclaimed;
  auto done = s.each_row([&](const Statement&) {
    reclaimed.emplace_back(MessageId(static_cast<std::uint64_t>(s.column_int(0))), s.column_int(1));
  });
  if (!done) return done.error();
  for (const auto& [id, seq] : reclaimed) {
    if (auto r = insert_event(id, seq, reclaimed_event(now, why)); !r) return r.error();
  }
  if (!reclaimed.empty()) {
    auto n = static_cast<std::int64_t>(reclaimed.size());
    move_count(MessageStatus::sending, -n);
    move_count(MessageStatus::queued, n);
  }
  return reclaimed.size();
}

Result<std::size_t> Writer::expire_idempotency_keys(SystemTime before) {
  if (auto r = st_->expire_idempotency.bind(1, to_unix_ms(before)).run(); !r) return r.error();
  return static_cast<std::size_t>(db_.changes());
}

Result<std::size_t> Writer::purge_ended(SystemTime before, std::size_t limit) {
  constexpr MessageStatus kEnded[] = {MessageStatus::sent, MessageStatus::failed,
                                      MessageStatus::cancelled};
  auto first_kept = static_cast<std::int64_t>(MessageId::first_at(before).value());
  std::size_t purged = 0;
  std::vector<std::int64_t> ids;
  std::vector<std::pair<std::int64_t, std::string>> terms;
  for (auto status : kEnded) {
    if (purged >= limit) break;
    auto& s = st_->purge_messages;
    s.bind(1, static_cast<std::int64_t>(status))
        .bind(2, first_kept)
        .bind(3, to_unix_ms(before))
        .bind(4, static_cast<std::int64_t>(limit - purged));
    ids.clear();
    terms.clear();
    if (auto r = s.each_row([&](const Statement& row) {
          ids.push_back(row.column_int(0));
          for (auto& term :
               message_terms(split_recipients(row.column_view(1)), split_lines(row.column_view(2))))
            terms.emplace_back(row.column_int(0), std::move(term));
        });
        !r)
      return r.error();
    for (const auto& [id, term] : terms) {
      if (auto r = st_->purge_term.bind(1, term).bind(2, id).run(); !r) return r.error();
    }
    for (auto id : ids) {
      for (auto* related : {&st_->purge_events, &st_->purge_content, &st_->purge_provider_events,
                            &st_->purge_recipient_states, &st_->purge_provider_ids}) {
        if (auto r = related->bind(1, id).run(); !r) return r.error();
      }
    }
    move_count(status, -static_cast<std::int64_t>(ids.size()));
    purged += ids.size();
  }
  if (auto r = st_->purge_unmatched.bind(1, to_unix_ms(before))
                   .bind(2, static_cast<std::int64_t>(limit))
                   .run();
      !r)
    return r.error();
  return purged;
}

Result<void> Writer::create_api_key(const StoredApiKey& key) {
  // Bound text is not copied (SQLITE_STATIC): it must outlive run().
  const std::string scopes = join_lines(key.key.scopes);
  auto& insert = st_->insert_key.bind(1, key.key.name)
                     .bind_blob(2, key.secret_hash)
                     .bind(3, scopes)
                     .bind(4, to_unix_ms(key.key.created_at))
                     .bind(5, key.key.catch_account);
  if (key.key.expires_at) {
    insert.bind(6, to_unix_ms(*key.key.expires_at));
  } else {
    insert.bind_null(6);
  }
  auto r = insert.run();
  if (!r) return r;
  if (db_.changes() == 0) return Errc::not_found;  // its test account does not exist
  return {};
}

Result<void> Writer::delete_api_key(const std::string& name) {
  if (auto r = st_->delete_key.bind(1, name).run(); !r) return r;
  if (db_.changes() == 0) return Errc::not_found;
  return {};
}

Result<void> Writer::rotate_api_key(const std::string& name, const std::string& secret_hash,
                                    SystemTime previous_valid_until) {
  auto r = st_->rotate_key.bind(1, name)
               .bind_blob(2, secret_hash)
               .bind(3, to_unix_ms(previous_valid_until))
               .run();
  if (!r) return r;
  if (db_.changes() == 0) return Errc::not_found;
  return {};
}

Result<void> Writer::record_api_key_use(const std::vector<ApiKeyUse>& uses) {
  for (const auto& use : uses) {
    if (auto r = st_->key_used.bind(1, use.name).bind(2, to_unix_ms(use.at)).run(); !r) return r;
  }
  return {};
}

Result<void> Writer::create_smtp_user(const SmtpUser& user) {
  return st_->insert_user.bind(1, user.name)
      .bind(2, user.password_hash)
      .bind(3, join_lines(user.scopes))
      .bind(4, to_unix_ms(user.created_at))
      .run();
}

Result<void> Writer::delete_smtp_user(const std::string& name) {
  if (auto r = st_->delete_user.bind(1, name).run(); !r) return r;
  if (db_.changes() == 0) return Errc::not_found;
  return {};
}

Result<std::uint64_t> Writer::record_boot(const std::string& node, SystemTime at) {
  return st_->insert_boot.bind(1, node)
      .bind(2, to_unix_ms(at))
      .one_row(Errc::internal, [](auto& s) { return static_cast<std::uint64_t>(s.column_int(0)); });
}

}  // namespace postern::store::sqlite
