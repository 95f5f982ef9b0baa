#include "store/sqlite/reader.h"

#include <limits>

#include "store/codec.h"
#include "store/sqlite/message_search.h"
#include "store/status_sql.h"

namespace postern::store::sqlite {

namespace {
constexpr const char* kSummaryColumns =
    "id, status, created_at, updated_at, next_attempt_at, attempts, sender, subject, tags, size, "
    "format, "
    "provider, provider_message_id, last_error, recipients, settled, refused, suppressed";

// A key with its bound test account's user name (store.h ApiKey::test_account).
constexpr std::string_view kKeyColumns =
    "SELECT k.name, k.secret_hash, k.scopes, k.created_at, k.catch_account, "
    "coalesce(a.user, ''), k.expires_at, k.last_used_at, k.previous_hash, "
    "k.previous_valid_until FROM api_keys k LEFT JOIN inbox_accounts a ON a.id = "
    "k.catch_account";

std::optional<SystemTime> optional_time(const Statement& row, int column) {
  if (row.column_is_null(column)) return std::nullopt;
  return from_unix_ms(row.column_int(column));
}

StoredApiKey key_of(const Statement& row) {
  StoredApiKey k;
  k.key.name = row.column_text(0);
  k.secret_hash = row.column_text(1);
  k.key.scopes = split_lines(row.column_view(2));
  k.key.created_at = from_unix_ms(row.column_int(3));
  k.key.catch_account = row.column_int(4);
  k.key.test_account = row.column_text(5);
  k.key.expires_at = optional_time(row, 6);
  k.key.last_used_at = optional_time(row, 7);
  if (!row.column_is_null(8)) k.previous_hash = row.column_text(8);
  k.key.previous_valid_until = optional_time(row, 9);
  return k;
}
}  // namespace

struct Reader::Statements {
  Statement message;
  Statement events;
  Statement recipient_states;
  Statement list_queued_by_index;
  Statement list_queued_by_row;
  Statement content;
  Statement counts;
  Statement keys;
  Statement users;
  Statement key_by_hash;
  Statement any_key;
  Statement referenced_segments;
  MessageSearch search;  // every other search
};

Result<std::unique_ptr<Reader>> Reader::open(const std::string& path, const ContentLog& content,
                                             std::int64_t deep_queue) {
  auto db = open_reader_connection(path);
  if (!db) return db.error();
  auto st = std::make_unique<Statements>();
  std::string cols = kSummaryColumns;
  // One page of summaries, newest first: ?2 and ?3 bound the ids, ?4 the count.
  auto page = [&](std::string_view index, std::string_view condition) {
    return "SELECT " + cols + " FROM messages " + std::string(index) + " WHERE " +
           std::string(condition) + "id >= ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4";
  };
  struct Entry {
    Statement* slot;
    std::string sql;
  };
  const Entry entries[] = {
      {&st->message, "SELECT " + cols + ", source, submitted_by FROM messages WHERE id = ?1"},
      {&st->events,
       "SELECT seq, at, type, status, provider, class, code, latency_us, detail, recipient "
       "FROM events WHERE message_id = ?1 ORDER BY seq"},
      {&st->recipient_states,
       "SELECT address, state, at, detail, provider FROM recipient_states WHERE message_id = ?1 "
       "ORDER BY address"},
      // Queued messages: a shallow queue is read whole from its index and
      // sorted; through a deep one the rows are read newest first, where
      // queued ones are at least deep_queue / (all rows) of them.
      // The ids alone are read from the index (covering: schema migration
      // 15) and sorted, then only the page's rows: reading every queued
      // row to sort them took 60 ms a page with 20,000 queued.
      {&st->list_queued_by_index,
       "SELECT " + cols +
           " FROM messages WHERE id IN (SELECT id FROM messages INDEXED BY messages_queued "
           "WHERE status = {queued} AND id >= ?2 AND id < ?3 ORDER BY id DESC LIMIT ?4) "
           "ORDER BY id DESC"_status_sql},
      {&st->list_queued_by_row, page("NOT INDEXED", "status = {queued} AND "_status_sql)},
      {&st->content, "SELECT m.format, " + std::string(kStoredContentColumns) + " FROM " +
                         std::string(kStoredContentSource) + " WHERE m.id = ?1"},
      {&st->counts, "SELECT status, n FROM status_counts"},
      {&st->keys, std::string(kKeyColumns) + " ORDER BY k.name"},
      {&st->key_by_hash,
       std::string(kKeyColumns) + " WHERE k.secret_hash = ?1 OR k.previous_hash = ?1"},
      {&st->any_key, "SELECT EXISTS (SELECT 1 FROM api_keys WHERE catch_account = 0)"},
      // A scan of every row (no index serves it, and one would cost every
      // insert): run after a purge only, on a reader, never on the writer.
      {&st->referenced_segments,
       "SELECT log_segment FROM messages WHERE log_segment IS NOT NULL "
       "UNION SELECT log_segment FROM message_content WHERE log_segment IS NOT NULL"},
      {&st->users, "SELECT name, password_hash, scopes, created_at FROM smtp_users ORDER BY name"},
  };
  for (const auto& e : entries) {
    auto s = (*db)->prepare(e.sql);
    if (!s) return s.error();
    *e.slot = std::move(*s);
  }
  auto search = MessageSearch::prepare(**db, cols);
  if (!search) return search.error();
  st->search = std::move(*search);
  return std::unique_ptr<Reader>(new Reader(std::move(*db), content, std::move(st), deep_queue));
}

Reader::Reader(std::unique_ptr<Database> db, const ContentLog& content,
               std::unique_ptr<Statements> st, std::int64_t deep_queue)
    : db_(std::move(db)), content_(content), st_(std::move(st)), deep_queue_(deep_queue) {}

Reader::~Reader() = default;

Result<std::vector<MessageSummary>> Reader::collect(Statement& s, std::string* accepted) {
  std::vector<MessageSummary> out;
  auto done = s.each_row([&](const Statement&) {
    MessageSummary m;
    m.id = MessageId(static_cast<std::uint64_t>(s.column_int(0)));
    m.status = static_cast<MessageStatus>(s.column_int(1));
    m.created_at = from_unix_ms(s.column_int(2));
    m.updated_at = from_unix_ms(s.column_int(3));
    m.next_attempt_at = from_unix_ms(s.column_int(4));
    m.attempts = static_cast<int>(s.column_int(5));
    m.sender = s.column_text(6);
    m.subject = s.column_text(7);
    m.tags = split_lines(s.column_view(8));
    m.size = static_cast<std::size_t>(s.column_int(9));
    m.format = static_cast<ContentFormat>(s.column_int(10));
    m.provider = s.column_text(11);
    m.provider_message_id = s.column_text(12);
    m.last_error = s.column_text(13);
    m.recipients = split_recipients(s.column_view(14));
    // Settled: those that have the message, then those refused for good.
    m.settled_recipients = split_lines(s.column_view(15));
    m.refused_recipients = split_lines(s.column_view(16));
    m.settled_recipients.insert(m.settled_recipients.end(), m.refused_recipients.begin(),
                                m.refused_recipients.end());
    m.suppressed_recipients = split_lines(s.column_view(17));
    if (accepted) *accepted = accepted_detail(s.column_view(18), s.column_view(19));
    out.push_back(std::move(m));
  });
  if (!done) return done.error();
  return out;
}

Result<MessageDetail> Reader::get_message(MessageId id) {
  st_->message.bind(1, static_cast<std::int64_t>(id.value()));
  std::string accepted_text;
  auto rows = collect(st_->message, &accepted_text);
  if (!rows) return rows.error();
  if (rows->empty()) return Errc::not_found;
  MessageDetail detail;
  detail.summary = std::move(rows->front());
  // Seq 0, "accepted", lives in the messages row (schema migration 5).
  Event accepted;
  accepted.at = detail.summary.created_at;
  accepted.type = "accepted";
  accepted.status = MessageStatus::queued;
  accepted.detail = std::move(accepted_text);
  detail.events.push_back(std::move(accepted));
  auto& s = st_->events;
  s.bind(1, static_cast<std::int64_t>(id.value()));
  auto done = s.each_row([&](const Statement&) {
    Event e;
    e.seq = static_cast<int>(s.column_int(0));
    e.at = from_unix_ms(s.column_int(1));
    e.type = s.column_text(2);
    e.status = static_cast<MessageStatus>(s.column_int(3));
    e.provider = s.column_text(4);
    e.failure_class = s.column_text(5);
    e.code = s.column_text(6);
    e.latency = std::chrono::microseconds(s.column_int(7));
    e.detail = s.column_text(8);
    e.recipient = s.column_text(9);
    detail.events.push_back(std::move(e));
  });
  if (!done) return done.error();
  auto& states = st_->recipient_states;
  states.bind(1, static_cast<std::int64_t>(id.value()));
  done = states.each_row([&](const Statement& row) {
    detail.recipient_states.push_back({row.column_text(0), row.column_text(1),
                                       from_unix_ms(row.column_int(2)), row.column_text(3),
                                       row.column_text(4)});
  });
  if (!done) return done.error();
  return detail;
}

Result<std::vector<MessageSummary>> Reader::list_messages(const ListFilter& f) {
  std::uint64_t low = f.since ? MessageId::first_at(*f.since).value() : 0;
  std::uint64_t high = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (f.until) high = std::min(high, MessageId::first_at(*f.until).value());
  if (f.before) high = std::min(high, f.before->value());
  if (low >= high) return std::vector<MessageSummary>{};
  const bool queued_alone =
      f.status == MessageStatus::queued && !f.provider && !f.recipient && !f.tag;
  if (!queued_alone) {
    auto s = st_->search.page(f, low, high);
    if (!s) return s.error();
    return collect(**s);
  }
  auto counts = count_by_status();
  if (!counts) return counts.error();
  bool deep = (*counts)[static_cast<std::size_t>(MessageStatus::queued)] > deep_queue_;
  auto& s = deep ? st_->list_queued_by_row : st_->list_queued_by_index;
  s.bind(2, static_cast<std::int64_t>(low))
      .bind(3, static_cast<std::int64_t>(high))
      .bind(4, static_cast<std::int64_t>(f.limit));
  return collect(s);
}

Result<std::pair<ContentFormat, std::string>> Reader::get_content(MessageId id) {
  ContentLog::ReadPin pin(content_);  // the row's reference stays readable
  return st_->content.bind(1, static_cast<std::int64_t>(id.value()))
      .one_row(
          Errc::not_found, [&](Statement& row) -> Result<std::pair<ContentFormat, std::string>> {
            auto content = stored_content(row, 1, content_);
            if (!content) return content.error();
            return std::pair{static_cast<ContentFormat>(row.column_int(0)), std::move(*content)};
          });
}

Result<std::vector<std::int64_t>> Reader::count_by_status() {
  std::vector<std::int64_t> counts(kMessageStatusCount, 0);
  auto& s = st_->counts;
  auto done = s.each_row([&](const Statement&) {
    auto status = s.column_int(0);
    if (status >= 0 && status < kMessageStatusCount)
      counts[static_cast<std::size_t>(status)] = s.column_int(1);
  });
  if (!done) return done.error();
  return counts;
}

Result<std::vector<StoredApiKey>> Reader::list_api_keys() {
  std::vector<StoredApiKey> out;
  auto done = st_->keys.each_row([&](const Statement& row) { out.push_back(key_of(row)); });
  if (!done) return done.error();
  return out;
}

Result<std::optional<StoredApiKey>> Reader::api_key_by_hash(const std::string& secret_hash) {
  auto key =
      st_->key_by_hash.bind_blob(1, secret_hash).one_row(Errc::not_found, [](Statement& row) {
        return Result<std::optional<StoredApiKey>>(key_of(row));
      });
  if (!key && key.error() == Errc::not_found) return std::optional<StoredApiKey>();
  return key;
}

Result<std::vector<SmtpUser>> Reader::list_smtp_users() {
  std::vector<SmtpUser> out;
  auto& s = st_->users;
  auto done = s.each_row([&](const Statement&) {
    out.push_back({s.column_text(0), s.column_text(1), split_lines(s.column_view(2)),
                   from_unix_ms(s.column_int(3))});
  });
  if (!done) return done.error();
  return out;
}

Result<bool> Reader::has_api_keys() {
  // EXISTS always answers one row.
  return st_->any_key.one_row(Errc::internal,
                              [](Statement& row) { return row.column_int(0) != 0; });
}

Result<std::set<std::uint32_t>> Reader::referenced_content_segments() {
  std::set<std::uint32_t> segments;
  auto done = st_->referenced_segments.each_row([&](const Statement& row) {
    segments.insert(static_cast<std::uint32_t>(row.column_int(0)));
  });
  if (!done) return done.error();
  return segments;
}

Result<std::map<std::uint32_t, std::uint64_t>> Reader::live_content_by_segment() {
  return live_bytes_by_segment(*db_);
}

Result<std::vector<LiveRow>> Reader::rows_in_segments(const std::set<std::uint32_t>& segments) {
  return sqlite::rows_in_segments(*db_, segments);
}

}  // namespace postern::store::sqlite
