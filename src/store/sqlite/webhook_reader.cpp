#include "store/sqlite/webhook_reader.h"

#include <limits>

#include "store/codec.h"
#include "store/sqlite/webhook_rows.h"

namespace postern::store::sqlite {
namespace {

#define POSTERN_ENDPOINT_COLUMNS                                                               \
  "id, url, events, secret, created_at, enabled, disabled_at, disabled_reason, failing_since " \
  "FROM webhook_endpoints"
constexpr std::string_view kListEndpoints =
    "SELECT " POSTERN_ENDPOINT_COLUMNS " ORDER BY created_at, id";
constexpr std::string_view kEndpoint = "SELECT " POSTERN_ENDPOINT_COLUMNS " WHERE id = ?1";
constexpr std::string_view kNextDue =
    "SELECT d.next_attempt_at FROM webhook_deliveries d INDEXED BY webhook_deliveries_next "
    "WHERE d.endpoint_id = ?1 AND d.state = 'pending' AND " POSTERN_FIRST_OF_ITS_MESSAGE
    " AND " POSTERN_ENDPOINT_ENABLED " ORDER BY d.next_attempt_at LIMIT 1";

constexpr std::string_view kDeliveries =
    "SELECT " POSTERN_DELIVERY_COLUMNS
    " WHERE d.endpoint_id = ?1 AND d.id < ?2 ORDER BY d.id DESC LIMIT ?3";
constexpr std::string_view kDelivery = "SELECT " POSTERN_DELIVERY_COLUMNS " WHERE d.id = ?1";

WebhookEndpoint read_endpoint(Statement& row) {
  return {.id = row.column_text(0),
          .url = row.column_text(1),
          .events = split_lines(row.column_view(2)),
          .secret = row.column_text(3),
          .created_at = from_unix_ms(row.column_int(4)),
          .enabled = row.column_int(5) != 0,
          .disabled_at = from_unix_ms(row.column_int(6)),
          .disabled_reason = row.column_text(7),
          .failing_since = from_unix_ms(row.column_int(8))};
}

template <class T>
Result<std::optional<T>> maybe(Result<T> found) {
  if (found) return std::optional<T>(std::move(*found));
  if (found.error() == Errc::not_found) return std::optional<T>();
  return found.error();
}

}  // namespace

WebhookDelivery read_delivery(Statement& row) {
  return {
      .id = row.column_int(0),
      .endpoint_id = row.column_text(1),
      .event = {.id = row.column_int(10),
                .type = row.column_text(11),
                .message = MessageId(static_cast<std::uint64_t>(row.column_int(12))),
                .recipient = row.column_text(13),
                .at = from_unix_ms(row.column_int(14)),
                .status = parse_message_status(row.column_view(15)).value_or(MessageStatus::queued),
                .provider = row.column_text(16),
                .failure_class = row.column_text(17),
                .code = row.column_text(18),
                .detail = row.column_text(19)},
      .state =
          parse_webhook_delivery_state(row.column_view(2)).value_or(WebhookDeliveryState::failed),
      .attempts = static_cast<int>(row.column_int(3)),
      .created_at = from_unix_ms(row.column_int(4)),
      .next_attempt_at = from_unix_ms(row.column_int(5)),
      .last_attempt_at = from_unix_ms(row.column_int(6)),
      .last_status = static_cast<int>(row.column_int(7)),
      .last_error = row.column_text(8),
      .last_latency = std::chrono::microseconds(row.column_int(9))};
}

Result<std::unique_ptr<WebhookReader>> WebhookReader::open(const std::string& path) {
  auto db = open_reader_connection(path);
  if (!db) return db.error();
  StatementCache st;
  if (auto r = st.add(**db, {kListEndpoints, kEndpoint, kDue, kNextDue, kDeliveries, kDelivery});
      !r)
    return r.error();
  return std::unique_ptr<WebhookReader>(new WebhookReader(std::move(*db), std::move(st)));
}

WebhookReader::WebhookReader(std::unique_ptr<Database> db, StatementCache st)
    : db_(std::move(db)), st_(std::move(st)) {}

Result<std::vector<WebhookEndpoint>> WebhookReader::list_endpoints() {
  std::vector<WebhookEndpoint> out;
  auto done =
      st_[kListEndpoints].each_row([&](Statement& row) { out.push_back(read_endpoint(row)); });
  if (!done) return done.error();
  return out;
}

Result<std::optional<WebhookEndpoint>> WebhookReader::endpoint(std::string_view id) {
  return maybe(st_[kEndpoint].bind(1, id).one_row(Errc::not_found, read_endpoint));
}

Result<std::vector<WebhookDelivery>> WebhookReader::read_deliveries(Statement& s) {
  std::vector<WebhookDelivery> out;
  auto done = s.each_row([&](Statement& row) { out.push_back(read_delivery(row)); });
  if (!done) return done.error();
  return out;
}

Result<std::vector<WebhookDelivery>> WebhookReader::due_deliveries(std::string_view endpoint_id,
                                                                   SystemTime now,
                                                                   std::size_t limit) {
  return read_deliveries(st_[kDue]
                             .bind(1, endpoint_id)
                             .bind(2, to_unix_ms(now))
                             .bind(3, static_cast<std::int64_t>(limit)));
}

// The first in time of the deliveries due_deliveries can answer: one held
// behind an earlier one of its message does not count, or the sender would
// look again at once and find nothing due.
Result<std::optional<SystemTime>> WebhookReader::next_due(std::string_view endpoint_id) {
  return maybe(st_[kNextDue].bind(1, endpoint_id).one_row(Errc::not_found, [](Statement& row) {
    return from_unix_ms(row.column_int(0));
  }));
}

Result<std::vector<WebhookDelivery>> WebhookReader::deliveries(std::string_view endpoint_id,
                                                               std::int64_t before_id,
                                                               std::size_t limit) {
  if (before_id <= 0) before_id = std::numeric_limits<std::int64_t>::max();
  return read_deliveries(st_[kDeliveries]
                             .bind(1, endpoint_id)
                             .bind(2, before_id)
                             .bind(3, static_cast<std::int64_t>(limit)));
}

Result<std::optional<WebhookDelivery>> WebhookReader::delivery(std::int64_t id) {
  return maybe(st_[kDelivery].bind(1, id).one_row(Errc::not_found, read_delivery));
}

}  // namespace postern::store::sqlite
