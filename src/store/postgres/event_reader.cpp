#include "store/postgres/event_reader.h"

#include <limits>
#include <set>

#include "store/postgres/event_rows.h"

namespace postern::store::postgres {
namespace {

constexpr std::string_view kSuppressionColumns =
    "SELECT address, reason, provider, message_id, detail, postern_ms(created_at) "
    "FROM suppressions ";

Suppression read_suppression(const Rows& rows, int i) {
  Suppression s;
  s.address = rows.text(i, 0);
  s.reason = rows.text(i, 1);
  s.provider = rows.text(i, 2);
  if (!rows.null(i, 3)) s.message = MessageId(static_cast<std::uint64_t>(rows.integer(i, 3)));
  s.detail = rows.text(i, 4);
  s.created_at = from_unix_ms(rows.integer(i, 5));
  return s;
}

// A text[] literal of `items`: each quoted, with '"' and '\' escaped
// (PostgreSQL's array input syntax), so that any text goes as one
// parameter. libpq has no array binding; the literal is the documented way.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

Result<std::optional<Suppression>> EventReader::suppression(std::string_view address) {
  auto rows = c_.query(std::string(kSuppressionColumns) + "WHERE key = $1",
                       Params().text(suppression_key(address)));
  if (!rows) return rows.error();
  if (rows->size() == 0) return std::optional<Suppression>();
  return std::optional<Suppression>(read_suppression(*rows, 0));
}

Result<std::vector<Suppression>> EventReader::list_suppressions(std::string_view after_key,
                                                                std::size_t limit) {
  auto rows = c_.query(std::string(kSuppressionColumns) + "WHERE key > $1 ORDER BY key LIMIT $2",
                       Params().text(after_key).integer(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  std::vector<Suppression> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_suppression(*rows, i));
  return out;
}

Result<std::vector<std::string>> EventReader::suppressed_among(
    const std::vector<std::string>& addresses) {
  if (addresses.empty()) return std::vector<std::string>{};
  std::vector<std::string> keys;
  keys.reserve(addresses.size());
  for (const auto& a : addresses) keys.push_back(suppression_key(a));
  // One round trip for the whole envelope.
  auto rows = c_.query("SELECT key FROM suppressions WHERE key = ANY ($1::text[])",
                       Params().text(text_array(keys)));
  if (!rows) return rows.error();
  std::set<std::string, std::less<>> listed;
  for (int i = 0; i < rows->size(); ++i) listed.insert(rows->text(i, 0));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < addresses.size(); ++i)
    if (listed.contains(keys[i])) out.push_back(addresses[i]);
  return out;
}

Result<std::vector<StoredProviderEvent>> EventReader::unmatched_events(std::int64_t before_id,
                                                                       std::size_t limit) {
  if (before_id <= 0) before_id = std::numeric_limits<std::int64_t>::max();
  auto rows = c_.query(
      "SELECT id, postern_ms(received_at), " POSTERN_PG_PROVIDER_EVENT_COLUMNS
      " FROM provider_events WHERE message_id IS NULL AND id < $1 ORDER BY id DESC LIMIT $2",
      Params().integer(before_id).integer(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  std::vector<StoredProviderEvent> out;
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(
        {rows->integer(i, 0), read_provider_event(*rows, i, 2), from_unix_ms(rows->integer(i, 1))});
  }
  return out;
}

}  // namespace postern::store::postgres
