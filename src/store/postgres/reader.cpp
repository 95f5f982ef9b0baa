#include "store/postgres/reader.h"

#include <limits>

#include "store/codec.h"
#include "store/postgres/message_search.h"

namespace postern::store::postgres {

namespace {

// Of messages m (a search may join message_terms).
constexpr std::string_view kSummaryColumns =
    "m.id, m.status, postern_ms(m.created_at), postern_ms(m.updated_at), "
    "postern_ms(m.next_attempt_at), m.attempts, m.sender, m.subject, m.tags, m.size, m.format, "
    "m.provider, m.provider_message_id, m.last_error, m.recipients, m.settled, m.refused, "
    "m.suppressed, m.source, m.submitted_by";

// A key with its bound test account's user name (store.h ApiKey::test_account).
constexpr std::string_view kKeyColumns =
    "SELECT k.name, k.secret_hash, k.scopes, postern_ms(k.created_at), k.catch_account, "
    "postern_ms(k.expires_at), postern_ms(k.last_used_at), k.previous_hash, "
    "postern_ms(k.previous_valid_until), coalesce(a.user_name, '') FROM api_keys k "
    "LEFT JOIN inbox_accounts a ON a.id = k.catch_account ";

MessageSummary summary_of(const Rows& r, int i) {
  MessageSummary m;
  m.id = MessageId(static_cast<std::uint64_t>(r.integer(i, 0)));
  m.status = static_cast<MessageStatus>(r.integer(i, 1));
  m.created_at = from_unix_ms(r.integer(i, 2));
  m.updated_at = from_unix_ms(r.integer(i, 3));
  m.next_attempt_at = from_unix_ms(r.integer(i, 4));
  m.attempts = static_cast<int>(r.integer(i, 5));
  m.sender = r.text(i, 6);
  m.subject = r.text(i, 7);
  m.tags = split_lines(r.view(i, 8));
  m.size = static_cast<std::size_t>(r.integer(i, 9));
  m.format = static_cast<ContentFormat>(r.integer(i, 10));
  m.provider = r.text(i, 11);
  m.provider_message_id = r.text(i, 12);
  m.last_error = r.text(i, 13);
  m.recipients = split_recipients(r.view(i, 14));
  // Settled: those that have the message, then those refused for good.
  m.settled_recipients = split_lines(r.view(i, 15));
  m.refused_recipients = split_lines(r.view(i, 16));
  m.settled_recipients.insert(m.settled_recipients.end(), m.refused_recipients.begin(),
                              m.refused_recipients.end());
  m.suppressed_recipients = split_lines(r.view(i, 17));
  return m;
}

StoredApiKey key_of(const Rows& r, int i) {
  StoredApiKey k;
  k.key.name = r.text(i, 0);
  k.secret_hash = r.bytes(i, 1);
  k.key.scopes = split_lines(r.view(i, 2));
  k.key.created_at = from_unix_ms(r.integer(i, 3));
  k.key.catch_account = r.integer(i, 4);
  auto time_at = [&](int column) -> std::optional<SystemTime> {
    if (r.null(i, column)) return std::nullopt;
    return from_unix_ms(r.integer(i, column));
  };
  k.key.expires_at = time_at(5);
  k.key.last_used_at = time_at(6);
  if (!r.null(i, 7)) k.previous_hash = r.bytes(i, 7);
  k.key.previous_valid_until = time_at(8);
  k.key.test_account = r.text(i, 9);
  return k;
}

}  // namespace

Result<MessageDetail> Reader::get_message(MessageId id) {
  auto id_value = static_cast<std::int64_t>(id.value());
  auto rows =
      c_.query("SELECT " + std::string(kSummaryColumns) + " FROM messages m WHERE m.id = $1",
               Params().integer(id_value));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  MessageDetail detail;
  detail.summary = summary_of(*rows, 0);
  // Seq 0, "accepted", lives in the messages row, as in SQLite.
  Event accepted;
  accepted.at = detail.summary.created_at;
  accepted.type = "accepted";
  accepted.status = MessageStatus::queued;
  accepted.detail = accepted_detail(rows->view(0, 18), rows->view(0, 19));
  detail.events.push_back(std::move(accepted));
  auto events = c_.query(
      "SELECT seq, postern_ms(at), type, status, provider, class, code, latency_us, detail, "
      "recipient FROM events WHERE message_id = $1 ORDER BY seq",
      Params().integer(id_value));
  if (!events) return events.error();
  for (int i = 0; i < events->size(); ++i) {
    Event e;
    e.seq = static_cast<int>(events->integer(i, 0));
    e.at = from_unix_ms(events->integer(i, 1));
    e.type = events->text(i, 2);
    e.status = static_cast<MessageStatus>(events->integer(i, 3));
    e.provider = events->text(i, 4);
    e.failure_class = events->text(i, 5);
    e.code = events->text(i, 6);
    e.latency = std::chrono::microseconds(events->integer(i, 7));
    e.detail = events->text(i, 8);
    e.recipient = events->text(i, 9);
    detail.events.push_back(std::move(e));
  }
  auto states = c_.query(
      "SELECT address, state, postern_ms(at), detail, provider FROM recipient_states "
      "WHERE message_id = $1 ORDER BY address",
      Params().integer(id_value));
  if (!states) return states.error();
  for (int i = 0; i < states->size(); ++i) {
    detail.recipient_states.push_back({states->text(i, 0), states->text(i, 1),
                                       from_unix_ms(states->integer(i, 2)), states->text(i, 3),
                                       states->text(i, 4)});
  }
  return detail;
}

Result<std::vector<MessageSummary>> Reader::list_messages(const ListFilter& f) {
  std::uint64_t low = f.since ? MessageId::first_at(*f.since).value() : 0;
  auto high = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (f.until) high = std::min(high, MessageId::first_at(*f.until).value());
  if (f.before) high = std::min(high, f.before->value());
  Params params;
  params.integer(static_cast<std::int64_t>(low))
      .integer(static_cast<std::int64_t>(high))
      .integer(static_cast<std::int64_t>(f.limit));
  auto sql = search_sql(f, kSummaryColumns);
  if (f.provider) params.text(*f.provider);
  if (f.recipient) params.text(*f.recipient);
  if (f.tag) params.text(*f.tag);
  auto rows = c_.query(sql, params);
  if (!rows) return rows.error();
  std::vector<MessageSummary> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(summary_of(*rows, i));
  return out;
}

Result<std::pair<ContentFormat, std::string>> Reader::get_content(MessageId id) {
  // Raw results: the content's bytes as they are, not hex.
  auto rows = c_.query_raw(
      "SELECT m.format, c.content FROM messages m JOIN message_content c ON c.message_id = m.id "
      "WHERE m.id = $1",
      Params().integer(static_cast<std::int64_t>(id.value())));
  if (!rows) return rows.error();
  if (rows->size() == 0) return Errc::not_found;
  return std::pair{static_cast<ContentFormat>(rows->integer(0, 0)), rows->bytes(0, 1)};
}

Result<std::vector<std::int64_t>> Reader::count_by_status() {
  // The writers' shards, and what nodes of an older version add to
  // status_counts (schema migration 9).
  auto rows = c_.query(
      "SELECT status, sum(n) FROM (SELECT status, n FROM status_counts UNION ALL "
      "SELECT status, n FROM status_count_shards) c GROUP BY status");
  if (!rows) return rows.error();
  std::vector<std::int64_t> counts(kMessageStatusCount, 0);
  for (int i = 0; i < rows->size(); ++i) {
    auto status = rows->integer(i, 0);
    if (status >= 0 && status < kMessageStatusCount)
      counts[static_cast<std::size_t>(status)] = rows->integer(i, 1);
  }
  return counts;
}

Result<std::vector<StoredApiKey>> Reader::list_api_keys() {
  auto rows = c_.query(std::string(kKeyColumns) + "ORDER BY name");
  if (!rows) return rows.error();
  std::vector<StoredApiKey> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(key_of(*rows, i));
  return out;
}

Result<std::optional<StoredApiKey>> Reader::api_key_by_hash(const std::string& secret_hash) {
  auto rows = c_.query(std::string(kKeyColumns) + "WHERE secret_hash = $1 OR previous_hash = $1",
                       Params().bytes(secret_hash));
  if (!rows) return rows.error();
  if (rows->size() == 0) return std::optional<StoredApiKey>();
  return std::optional<StoredApiKey>(key_of(*rows, 0));
}

Result<bool> Reader::has_api_keys() {
  auto rows = c_.query("SELECT EXISTS (SELECT 1 FROM api_keys WHERE catch_account = 0)");
  if (!rows) return Result<bool>(boost::system::in_place_error, rows.error());
  return rows->view(0, 0) == "t";
}

Result<std::vector<SmtpUser>> Reader::list_smtp_users() {
  auto rows = c_.query(
      "SELECT name, password_hash, scopes, postern_ms(created_at) FROM smtp_users ORDER BY name");
  if (!rows) return rows.error();
  std::vector<SmtpUser> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->text(i, 0), rows->text(i, 1), split_lines(rows->view(i, 2)),
                   from_unix_ms(rows->integer(i, 3))});
  }
  return out;
}

}  // namespace postern::store::postgres
