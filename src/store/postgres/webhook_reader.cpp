#include "store/postgres/webhook_reader.h"

#include <limits>

#include "store/codec.h"
#include "store/postgres/webhook_rows.h"

namespace postern::store::postgres {
namespace {

constexpr std::string_view kEndpointColumns =
    "SELECT id, url, events, secret, postern_ms(created_at), enabled, postern_ms(disabled_at), "
    "disabled_reason, postern_ms(failing_since) FROM webhook_endpoints ";
#define POSTERN_PG_DELIVERIES           \
  "SELECT " POSTERN_PG_DELIVERY_COLUMNS \
  " FROM webhook_deliveries d "         \
  "JOIN webhook_events e ON e.id = d.event_id "

constexpr std::int64_t kEndOfTime = 253402300799999;

WebhookEndpoint read_endpoint(const Rows& r, int i) {
  return {.id = r.text(i, 0),
          .url = r.text(i, 1),
          .events = split_lines(r.view(i, 2)),
          .secret = r.text(i, 3),
          .created_at = from_unix_ms(r.integer(i, 4)),
          .enabled = r.view(i, 5) == "t",
          .disabled_at = from_unix_ms(r.integer(i, 6)),
          .disabled_reason = r.text(i, 7),
          .failing_since = from_unix_ms(r.integer(i, 8))};
}

// The first row of `rows` read by `read`, or nullopt when there is none.
template <class Read>
auto first_of(Result<Rows> rows, Read read) -> Result<std::optional<decltype(read(*rows, 0))>> {
  using T = decltype(read(*rows, 0));
  if (!rows) return rows.error();
  if (rows->size() == 0) return std::optional<T>();
  return std::optional<T>(read(*rows, 0));
}

}  // namespace

WebhookDelivery read_delivery(const Rows& r, int i) {
  return {
      .id = r.integer(i, 0),
      .endpoint_id = r.text(i, 1),
      .event = {.id = r.integer(i, 10),
                .type = r.text(i, 11),
                .message = MessageId(static_cast<std::uint64_t>(r.integer(i, 12))),
                .recipient = r.text(i, 13),
                .at = from_unix_ms(r.integer(i, 14)),
                .status = parse_message_status(r.view(i, 15)).value_or(MessageStatus::queued),
                .provider = r.text(i, 16),
                .failure_class = r.text(i, 17),
                .code = r.text(i, 18),
                .detail = r.text(i, 19)},
      .state = parse_webhook_delivery_state(r.view(i, 2)).value_or(WebhookDeliveryState::failed),
      .attempts = static_cast<int>(r.integer(i, 3)),
      .created_at = from_unix_ms(r.integer(i, 4)),
      .next_attempt_at = from_unix_ms(r.integer(i, 5)),
      .last_attempt_at = from_unix_ms(r.integer(i, 6)),
      .last_status = static_cast<int>(r.integer(i, 7)),
      .last_error = r.text(i, 8),
      .last_latency = std::chrono::microseconds(r.integer(i, 9))};
}

Result<std::vector<WebhookEndpoint>> WebhookReader::list_endpoints() {
  auto rows = c_.query(std::string(kEndpointColumns) + "ORDER BY created_at, id");
  if (!rows) return rows.error();
  std::vector<WebhookEndpoint> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(read_endpoint(*rows, i));
  return out;
}

Result<std::optional<WebhookEndpoint>> WebhookReader::endpoint(std::string_view id) {
  return first_of(c_.query(std::string(kEndpointColumns) + "WHERE id = $1", Params().text(id)),
                  read_endpoint);
}

Result<std::vector<WebhookDelivery>> WebhookReader::due_deliveries(std::string_view endpoint_id,
                                                                   SystemTime now,
                                                                   std::size_t limit) {
  auto rows = c_.query(POSTERN_PG_DELIVERIES "WHERE " POSTERN_PG_DUE " ORDER BY d.id LIMIT $3",
                       Params()
                           .text(endpoint_id)
                           .integer(to_unix_ms(now))
                           .integer(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  return read_deliveries(*rows);
}

// The first in time of the deliveries due_deliveries can answer: one held
// behind an earlier one of its message does not count, or the sender would
// look again at once and find nothing due. (POSTERN_PG_DUE at the end of
// time, the last millisecond of year 9999: every pending one.)
Result<std::optional<SystemTime>> WebhookReader::next_due(std::string_view endpoint_id) {
  return first_of(
      c_.query(
          "SELECT postern_ms(d.next_attempt_at) FROM webhook_deliveries d WHERE " POSTERN_PG_DUE
          " ORDER BY d.next_attempt_at LIMIT 1",
          Params().text(endpoint_id).integer(kEndOfTime)),
      [](const Rows& r, int i) { return from_unix_ms(r.integer(i, 0)); });
}

Result<std::vector<WebhookDelivery>> WebhookReader::deliveries(std::string_view endpoint_id,
                                                               std::int64_t before_id,
                                                               std::size_t limit) {
  if (before_id <= 0) before_id = std::numeric_limits<std::int64_t>::max();
  auto rows = c_.query(
      POSTERN_PG_DELIVERIES
      "WHERE d.endpoint_id = $1 AND d.id < $2 "
      "ORDER BY d.id DESC LIMIT $3",
      Params().text(endpoint_id).integer(before_id).integer(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  return read_deliveries(*rows);
}

Result<std::optional<WebhookDelivery>> WebhookReader::delivery(std::int64_t id) {
  return first_of(c_.query(POSTERN_PG_DELIVERIES "WHERE d.id = $1", Params().integer(id)),
                  read_delivery);
}

}  // namespace postern::store::postgres
