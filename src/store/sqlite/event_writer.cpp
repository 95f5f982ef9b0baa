#include "store/sqlite/event_writer.h"

#include "store/codec.h"
#include "store/envelope_address.h"
#include "store/event_writes.h"
#include "store/sqlite/event_rows.h"
#include "store/webhook_tells.h"

namespace postern::store::sqlite {
namespace {

constexpr std::string_view kByProviderId =
    "SELECT message_id FROM provider_message_ids WHERE provider = ?1 AND provider_message_id = "
    "?2";
constexpr std::string_view kMessageExists = "SELECT 1 FROM messages WHERE id = ?1";
// No change: (provider, dedupe_key) was recorded before. (No RETURNING
// here or below: in SQLite 3.40 a RETURNING clause costs a single-row
// INSERT 5 µs and an UPDATE 15–20 µs more than asking sqlite3_changes or
// reading the row first, and an event runs both; measured on the writer.)
constexpr std::string_view kInsertEvent =
    "INSERT INTO provider_events(provider, dedupe_key, message_id, recipient, type, at, detail, "
    "provider_message_id, postern_id, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10) ON CONFLICT (provider, dedupe_key) DO NOTHING";
// The timeline's last seq, the status the event leaves unchanged, and the
// envelope the recipient is looked up in; then the seq taken. Only the
// writer changes messages, so nothing comes between the two.
constexpr std::string_view kLastSeq =
    "SELECT event_seq, status, recipients FROM messages WHERE id = ?1";
constexpr std::string_view kTakeSeq = "UPDATE messages SET event_seq = ?2 WHERE id = ?1";
constexpr std::string_view kInsertTimelineEvent =
    "INSERT INTO events(message_id, seq, at, type, status, provider, detail, recipient) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// The report with the latest time wins, whatever order they arrive in
// (providers retry, and batch events of several minutes).
constexpr std::string_view kUpsertState =
    "INSERT INTO recipient_states(message_id, address, state, at, detail, provider) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (message_id, address) DO UPDATE SET "
    "state = excluded.state, at = excluded.at, detail = excluded.detail, "
    "provider = excluded.provider WHERE excluded.at >= recipient_states.at";
constexpr std::string_view kInsertSuppression =
    "INSERT INTO suppressions(key, address, reason, provider, message_id, detail, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING";
constexpr std::string_view kDeleteSuppression = "DELETE FROM suppressions WHERE key = ?1";
constexpr std::string_view kRememberProviderId =
    "INSERT INTO provider_message_ids(provider, provider_message_id, message_id) "
    "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
constexpr std::string_view kWaiting =
    "SELECT id, " POSTERN_PROVIDER_EVENT_COLUMNS
    " FROM provider_events INDEXED BY provider_events_waiting "
    "WHERE provider = ?1 AND provider_message_id = ?2 AND message_id IS NULL ORDER BY id";
constexpr std::string_view kTie = "UPDATE provider_events SET message_id = ?2 WHERE id = ?1";

std::int64_t stored_id(MessageId id) { return static_cast<std::int64_t>(id.value()); }

}  // namespace

Result<std::unique_ptr<EventWriter>> EventWriter::create(Database& db, const Clock& clock,
                                                         WebhookWriter& webhooks) {
  StatementCache st;
  if (auto r = st.add(db, {kByProviderId, kMessageExists, kInsertEvent, kLastSeq, kTakeSeq,
                           kInsertTimelineEvent, kUpsertState, kInsertSuppression,
                           kDeleteSuppression, kRememberProviderId, kWaiting, kTie});
      !r)
    return r.error();
  return std::unique_ptr<EventWriter>(new EventWriter(db, clock, webhooks, std::move(st)));
}

EventWriter::EventWriter(Database& db, const Clock& clock, WebhookWriter& webhooks,
                         StatementCache st)
    : db_(db), clock_(clock), webhooks_(webhooks), st_(std::move(st)) {}

Result<std::optional<MessageId>> EventWriter::match(const events::ProviderEvent& e) {
  using Found = std::optional<MessageId>;
  if (!e.provider_message_id.empty()) {
    auto by_provider = st_[kByProviderId]
                           .bind(1, e.provider)
                           .bind(2, e.provider_message_id)
                           .one_row(Errc::not_found, [](Statement& row) {
                             return MessageId(static_cast<std::uint64_t>(row.column_int(0)));
                           });
    if (by_provider) return Found(*by_provider);
    if (by_provider.error() != Errc::not_found) return by_provider.error();
  }
  auto own = MessageId::parse(e.postern_id);
  if (!own) return Found();
  auto exists = st_[kMessageExists].bind(1, stored_id(*own)).one_row(Errc::not_found, [](auto&) {
    return true;
  });
  if (exists) return Found(*own);
  if (exists.error() != Errc::not_found) return exists.error();
  return Found();
}

Result<std::vector<EventOutcome>> EventWriter::record(
    const std::vector<events::ProviderEvent>& batch) {
  const auto now = to_unix_ms(clock_.now());
  std::vector<EventOutcome> outcomes;
  outcomes.reserve(batch.size());
  for (const auto& e : batch) {
    auto message = match(e);
    if (!message) return message.error();
    auto& insert = st_[kInsertEvent];
    insert.bind(1, e.provider).bind(2, e.dedupe_key);
    if (*message) {
      insert.bind(3, stored_id(**message));
    } else {
      insert.bind_null(3);
    }
    auto inserted = changed(insert.bind(4, e.recipient)
                                .bind(5, events::to_str(e.type))
                                .bind(6, to_unix_ms(e.at))
                                .bind(7, e.detail)
                                .bind(8, e.provider_message_id)
                                .bind(9, e.postern_id)
                                .bind(10, now)
                                .run());
    if (!inserted) return inserted.error();
    if (!*inserted) {
      outcomes.push_back(EventOutcome::duplicate);
      continue;
    }
    if (!*message) {
      outcomes.push_back(EventOutcome::unmatched);
      continue;
    }
    if (auto r = apply(**message, e); !r) return r.error();
    outcomes.push_back(EventOutcome::recorded);
  }
  return outcomes;
}

Result<void> EventWriter::apply(MessageId message, const events::ProviderEvent& e) {
  struct Row {
    std::int64_t seq;
    std::int64_t status;
    std::string address;
  };
  // The message exists: match() found it in this transaction.
  auto row = st_[kLastSeq].bind(1, stored_id(message)).one_row(Errc::internal, [&](Statement& s) {
    return Row{s.column_int(0) + 1, s.column_int(1),
               envelope_address(s.column_view(2), e.recipient)};
  });
  if (!row) return row.error();
  if (auto r = st_[kTakeSeq].bind(1, stored_id(message)).bind(2, row->seq).run(); !r) return r;
  const auto type = events::to_str(e.type);
  const auto at = to_unix_ms(e.at);
  if (auto r = st_[kInsertTimelineEvent]
                   .bind(1, stored_id(message))
                   .bind(2, row->seq)
                   .bind(3, at)
                   .bind(4, type)
                   .bind(5, row->status)
                   .bind(6, e.provider)
                   .bind(7, e.detail)
                   .bind(8, row->address)
                   .run();
      !r)
    return r;
  if (auto r = st_[kUpsertState]
                   .bind(1, stored_id(message))
                   .bind(2, row->address)
                   .bind(3, type)
                   .bind(4, at)
                   .bind(5, e.detail)
                   .bind(6, e.provider)
                   .run();
      !r)
    return r;
  if (auto r = tell_recipient_report(webhooks_, message, e, row->address,
                                     static_cast<MessageStatus>(row->status));
      !r)
    return r;
  if (!events::suppresses(e.type)) return {};
  Suppression entry{row->address, std::string(type), e.provider, message, e.detail, {}};
  if (auto r = insert_suppression(entry); !r) return r.error();
  return {};
}

Result<void> EventWriter::note_provider_message_id(MessageId message, const std::string& provider,
                                                   const std::string& provider_message_id) {
  if (auto r = st_[kRememberProviderId]
                   .bind(1, provider)
                   .bind(2, provider_message_id)
                   .bind(3, stored_id(message))
                   .run();
      !r)
    return r;
  struct Waiting {
    std::int64_t id;
    events::ProviderEvent event;
  };
  std::vector<Waiting> waiting;
  auto read = st_[kWaiting].bind(1, provider).bind(2, provider_message_id).each_row([&](auto& s) {
    waiting.push_back({s.column_int(0), read_provider_event(s, 1)});
  });
  if (!read) return read;
  for (const auto& w : waiting) {
    if (auto r = st_[kTie].bind(1, w.id).bind(2, stored_id(message)).run(); !r) return r;
    if (auto r = apply(message, w.event); !r) return r;
  }
  return {};
}

Result<bool> EventWriter::changed(Result<void> ran) {
  if (!ran) return Result<bool>(boost::system::in_place_error, ran.error());
  return db_.changes() > 0;
}

Result<bool> EventWriter::insert_suppression(const Suppression& s) {
  // Bound without a copy: the key must live until the statement ran.
  const auto key = suppression_key(s.address);
  const auto created_at = s.created_at == SystemTime{} ? clock_.now() : s.created_at;
  auto& insert = st_[kInsertSuppression];
  insert.bind(1, key)
      .bind(2, s.address)
      .bind(3, s.reason)
      .bind(4, s.provider)
      .bind(6, s.detail)
      .bind(7, to_unix_ms(created_at));
  if (s.message) {
    insert.bind(5, stored_id(*s.message));
  } else {
    insert.bind_null(5);
  }
  return changed(insert.run());
}

Result<std::size_t> EventWriter::add_suppressions(const std::vector<Suppression>& entries) {
  return add_each(entries, [this](const Suppression& s) { return insert_suppression(s); });
}

Result<bool> EventWriter::remove_suppression(const std::string& address) {
  const auto key = suppression_key(address);
  return changed(st_[kDeleteSuppression].bind(1, key).run());
}

}  // namespace postern::store::sqlite
