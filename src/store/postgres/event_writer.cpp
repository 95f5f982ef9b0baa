#include "store/postgres/event_writer.h"

#include <algorithm>

#include "store/envelope_address.h"
#include "store/event_writes.h"
#include "store/postgres/event_rows.h"
#include "store/postgres/row_arrays.h"
#include "store/webhook_tells.h"

namespace postern::store::postgres {
namespace {

std::int64_t id_of(MessageId id) { return static_cast<std::int64_t>(id.value()); }

// Matches and records in one statement: the message is the one whose
// attempt at this provider got the event's provider message id ($7), else
// the one whose id is its Postern id ($10, NULL when it names none;
// coalesce tries them in this order). No row back: (provider, dedupe_key)
// was recorded before.
constexpr const char* kInsertEvent =
    "INSERT INTO provider_events(provider, dedupe_key, message_id, recipient, type, at, detail, "
    "provider_message_id, postern_id, received_at) VALUES ($1, $2, coalesce("
    "(SELECT message_id FROM provider_message_ids WHERE $7 <> '' AND provider = $1 AND "
    "provider_message_id = $7), (SELECT id FROM messages WHERE id = $10)), $3, $4, "
    "postern_ts($5), $6, $7, $8, postern_ts($9)) ON CONFLICT (provider, dedupe_key) DO NOTHING "
    "RETURNING message_id";

// The class of the advisory locks on provider message ids (two int4 keys:
// apart from the single-key lock of migrations.cpp). "pevt" in ASCII.
constexpr std::int64_t kProviderIdLockClass = 0x70657674;

// Locks on (provider, provider message id), each a row (row_arrays.h),
// taken in their rows' order.
const RowStatement kLockProviderIds{"SELECT pg_advisory_xact_lock(" +
                                        std::to_string(kProviderIdLockClass) +
                                        ", hashtext(provider || E'\\n' || id)) FROM "
                                        "unnest($1::text[], $2::text[]) AS v(provider, id)",
                                    {RowStatement::Type::text, RowStatement::Type::text}};

// What a send call's answers named: (provider, provider message id) ->
// message, each a row.
const RowStatement kNameProviderIds{
    "INSERT INTO provider_message_ids(provider, provider_message_id, message_id) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::int8[]) ON CONFLICT DO NOTHING",
    {RowStatement::Type::text, RowStatement::Type::text, RowStatement::Type::int8}};

}  // namespace

void EventWriter::lock_provider_id(const std::string& provider,
                                   const std::string& provider_message_id) {
  c_.defer_row(kLockProviderIds, Params().text(provider).text(provider_message_id));
}

Result<std::vector<EventOutcome>> EventWriter::record(
    const std::vector<events::ProviderEvent>& batch) {
  const auto now = to_unix_ms(clock_.now());
  std::vector<EventOutcome> outcomes;
  outcomes.reserve(batch.size());
  // (message, index in the batch) of each event tied to a message.
  std::vector<std::pair<std::int64_t, std::size_t>> tied;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& e = batch[i];
    if (!e.provider_message_id.empty()) lock_provider_id(e.provider, e.provider_message_id);
    Params params;
    params.text(e.provider)
        .text(e.dedupe_key)
        .text(e.recipient)
        .text(events::to_str(e.type))
        .integer(to_unix_ms(e.at))
        .text(e.detail)
        .text(e.provider_message_id)
        .text(e.postern_id)
        .integer(now);
    if (auto own = MessageId::parse(e.postern_id)) {
      params.integer(id_of(*own));
    } else {
      params.null();
    }
    auto row = c_.query(kInsertEvent, params);
    if (!row) return row.error();
    if (row->size() == 0) {
      outcomes.push_back(EventOutcome::duplicate);
    } else if (row->null(0, 0)) {
      outcomes.push_back(EventOutcome::unmatched);
    } else {
      outcomes.push_back(EventOutcome::recorded);
      tied.emplace_back(row->integer(0, 0), i);
    }
  }
  // In message order (see the top of event_writer.h); a message's own
  // events in the batch's order.
  std::stable_sort(tied.begin(), tied.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [message, i] : tied) {
    if (auto r = apply(MessageId(static_cast<std::uint64_t>(message)), batch[i]); !r)
      return r.error();
  }
  return outcomes;
}

Result<void> EventWriter::apply(MessageId message, const events::ProviderEvent& e) {
  // The timeline's next seq, the status the event leaves unchanged, and the
  // envelope the recipient is looked up in.
  auto row = c_.query(
      "UPDATE messages SET event_seq = event_seq + 1 WHERE id = $1 "
      "RETURNING event_seq, status, recipients",
      Params().integer(id_of(message)));
  if (!row) return row.error();
  // Deleted since it matched (retention on another node): nothing to tie to.
  if (row->size() == 0) return {};
  const auto address = envelope_address(row->view(0, 2), e.recipient);
  const auto type = events::to_str(e.type);
  const auto at = to_unix_ms(e.at);
  c_.defer(
      "INSERT INTO events(message_id, seq, at, type, status, provider, detail, recipient) "
      "VALUES ($1, $2, postern_ts($3), $4, $5, $6, $7, $8)",
      Params()
          .integer(id_of(message))
          .integer(row->integer(0, 0))
          .integer(at)
          .text(type)
          .integer(row->integer(0, 1))
          .text(e.provider)
          .text(e.detail)
          .text(address));
  // The report with the latest time wins, whatever order they arrive in
  // (providers retry, and batch events of several minutes).
  c_.defer(
      "INSERT INTO recipient_states(message_id, address, state, at, detail, provider) "
      "VALUES ($1, $2, $3, postern_ts($4), $5, $6) ON CONFLICT (message_id, address) DO UPDATE "
      "SET state = excluded.state, at = excluded.at, detail = excluded.detail, "
      "provider = excluded.provider WHERE excluded.at >= recipient_states.at",
      Params()
          .integer(id_of(message))
          .text(address)
          .text(type)
          .integer(at)
          .text(e.detail)
          .text(e.provider));
  const auto status = static_cast<MessageStatus>(row->integer(0, 1));
  if (auto r = tell_recipient_report(webhooks_, message, e, address, status); !r) return r;
  if (!events::suppresses(e.type)) return {};
  Suppression entry{address, std::string(type), e.provider, message, e.detail, {}};
  if (auto r = insert_suppression(entry); !r) return r.error();
  return {};
}

Result<void> EventWriter::note_provider_message_id(MessageId message, const std::string& provider,
                                                   const std::string& provider_message_id) {
  return note_provider_message_ids({{message, provider, provider_message_id}});
}

Result<void> EventWriter::note_provider_message_ids(const std::vector<ProviderMessageId>& named) {
  // The locks and the names go as a statement each for the whole group
  // (all locks first, so that each kind's rows are consecutive); the events
  // that waited for a name are looked up by its index, a statement per
  // name, all in one round trip. A name and its lookup take the same values.
  for (const auto& n : named) lock_provider_id(n.provider, n.id);
  std::vector<Statement> waiting_of;
  waiting_of.reserve(named.size());
  for (const auto& n : named) {
    auto name = Params().text(n.provider).text(n.id).integer(id_of(n.message));
    c_.defer_row(kNameProviderIds, name);
    waiting_of.push_back(
        {"UPDATE provider_events SET message_id = $3 WHERE provider = $1 AND "
         "provider_message_id = $2 AND message_id IS NULL "
         "RETURNING id, " POSTERN_PG_PROVIDER_EVENT_COLUMNS,
         std::move(name)});
  }
  auto waiting = c_.query_each(std::move(waiting_of));
  if (!waiting) return waiting.error();
  for (std::size_t k = 0; k < named.size(); ++k) {
    const auto& rows = (*waiting)[k];
    // Applied in the order they arrived, as SQLite does.
    std::vector<std::pair<std::int64_t, int>> order;
    for (int i = 0; i < rows.size(); ++i) order.emplace_back(rows.integer(i, 0), i);
    std::sort(order.begin(), order.end());
    for (const auto& [id, i] : order) {
      if (auto r = apply(named[k].message, read_provider_event(rows, i, 1)); !r) return r;
    }
  }
  return {};
}

Result<bool> EventWriter::insert_suppression(const Suppression& s) {
  const auto created_at = s.created_at == SystemTime{} ? clock_.now() : s.created_at;
  Params params;
  params.text(suppression_key(s.address))
      .text(s.address)
      .text(s.reason)
      .text(s.provider)
      .text(s.detail)
      .integer(to_unix_ms(created_at));
  if (s.message) {
    params.integer(id_of(*s.message));
  } else {
    params.null();
  }
  auto r = c_.query(
      "INSERT INTO suppressions(key, address, reason, provider, detail, created_at, message_id) "
      "VALUES ($1, $2, $3, $4, $5, postern_ts($6), $7) ON CONFLICT (key) DO NOTHING",
      params);
  if (!r) return Result<bool>(boost::system::in_place_error, r.error());
  return r->affected() > 0;
}

Result<std::size_t> EventWriter::add_suppressions(const std::vector<Suppression>& entries) {
  return add_each(entries, [this](const Suppression& s) { return insert_suppression(s); });
}

Result<bool> EventWriter::remove_suppression(const std::string& address) {
  auto r =
      c_.query("DELETE FROM suppressions WHERE key = $1", Params().text(suppression_key(address)));
  if (!r) return Result<bool>(boost::system::in_place_error, r.error());
  return r->affected() > 0;
}

}  // namespace postern::store::postgres
