#include "store/sqlite/event_reader.h"

#include <limits>

#include "store/sqlite/event_rows.h"

namespace postern::store::sqlite {
namespace {

#define POSTERN_SUPPRESSION_COLUMNS \
  "address, reason, provider, message_id, detail, created_at FROM suppressions"
constexpr std::string_view kSuppression = "SELECT " POSTERN_SUPPRESSION_COLUMNS " WHERE key = ?1";
constexpr std::string_view kListSuppressions =
    "SELECT " POSTERN_SUPPRESSION_COLUMNS " WHERE key > ?1 ORDER BY key LIMIT ?2";
constexpr std::string_view kSuppressed = "SELECT 1 FROM suppressions WHERE key = ?1";
constexpr std::string_view kUnmatched =
    "SELECT id, received_at, " POSTERN_PROVIDER_EVENT_COLUMNS
    " FROM provider_events INDEXED BY provider_events_unmatched "
    "WHERE message_id IS NULL AND id < ?1 ORDER BY id DESC LIMIT ?2";

Suppression read_suppression(Statement& row) {
  Suppression s;
  s.address = row.column_text(0);
  s.reason = row.column_text(1);
  s.provider = row.column_text(2);
  if (!row.column_is_null(3)) s.message = MessageId(static_cast<std::uint64_t>(row.column_int(3)));
  s.detail = row.column_text(4);
  s.created_at = from_unix_ms(row.column_int(5));
  return s;
}

}  // namespace

Result<std::unique_ptr<EventReader>> EventReader::open(const std::string& path) {
  auto db = open_reader_connection(path);
  if (!db) return db.error();
  StatementCache st;
  if (auto r = st.add(**db, {kSuppression, kListSuppressions, kSuppressed, kUnmatched}); !r)
    return r.error();
  return std::unique_ptr<EventReader>(new EventReader(std::move(*db), std::move(st)));
}

EventReader::EventReader(std::unique_ptr<Database> db, StatementCache st)
    : db_(std::move(db)), st_(std::move(st)) {}

Result<std::optional<Suppression>> EventReader::suppression(std::string_view address) {
  const auto key = suppression_key(address);
  auto found = st_[kSuppression].bind(1, key).one_row(Errc::not_found, read_suppression);
  if (found) return std::optional<Suppression>(std::move(*found));
  if (found.error() == Errc::not_found) return std::optional<Suppression>();
  return found.error();
}

Result<std::vector<Suppression>> EventReader::list_suppressions(std::string_view after_key,
                                                                std::size_t limit) {
  std::vector<Suppression> out;
  auto& s = st_[kListSuppressions];
  auto done =
      s.bind(1, after_key).bind(2, static_cast<std::int64_t>(limit)).each_row([&](Statement& row) {
        out.push_back(read_suppression(row));
      });
  if (!done) return done.error();
  return out;
}

Result<std::vector<std::string>> EventReader::suppressed_among(
    const std::vector<std::string>& addresses) {
  std::vector<std::string> out;
  for (const auto& address : addresses) {
    const auto key = suppression_key(address);
    auto found = st_[kSuppressed].bind(1, key).one_row(Errc::not_found, [](auto&) { return true; });
    if (found) {
      out.push_back(address);
    } else if (found.error() != Errc::not_found) {
      return found.error();
    }
  }
  return out;
}

Result<std::vector<StoredProviderEvent>> EventReader::unmatched_events(std::int64_t before_id,
                                                                       std::size_t limit) {
  if (before_id <= 0) before_id = std::numeric_limits<std::int64_t>::max();
  std::vector<StoredProviderEvent> out;
  auto done = st_[kUnmatched]
                  .bind(1, before_id)
                  .bind(2, static_cast<std::int64_t>(limit))
                  .each_row([&](Statement& row) {
                    out.push_back({row.column_int(0), read_provider_event(row, 2),
                                   from_unix_ms(row.column_int(1))});
                  });
  if (!done) return done.error();
  return out;
}

}  // namespace postern::store::sqlite
