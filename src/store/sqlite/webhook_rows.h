// The SQL and row reading that the SQLite webhook reader (due deliveries,
// the log) and writer (leases) share.
#pragma once

#include <string_view>

#include "store/sqlite/database.h"
#include "store/webhook_store.h"

namespace postern::store::sqlite {

#define POSTERN_DELIVERY_COLUMNS                                                      \
  "d.id, d.endpoint_id, d.state, d.attempts, d.created_at, d.next_attempt_at, "       \
  "d.last_attempt_at, d.last_status, d.last_error, d.last_latency_us, e.id, e.type, " \
  "e.message_id, e.recipient, e.at, e.status, e.provider, e.class, e.code, e.detail " \
  "FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id"
// The endpoint is enabled: a disabled one's pending deliveries wait.
#define POSTERN_ENDPOINT_ENABLED \
  "EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?1 AND enabled = 1)"

// The earliest pending delivery of its message at this endpoint.
#define POSTERN_FIRST_OF_ITS_MESSAGE                                                        \
  "NOT EXISTS (SELECT 1 FROM webhook_deliveries p INDEXED BY "                              \
  "webhook_deliveries_pending_by_message WHERE p.endpoint_id = ?1 AND p.state = 'pending' " \
  "AND p.message_id = d.message_id AND p.id < d.id)"

// Each the earliest pending delivery of its message at this endpoint, so
// one message's changes go out in order while other messages go ahead.
// State names as to_str(WebhookDeliveryState) spells them.
inline constexpr std::string_view kDue =
    "SELECT " POSTERN_DELIVERY_COLUMNS
    " WHERE d.id IN (SELECT id FROM webhook_deliveries INDEXED BY webhook_deliveries_pending "
    "WHERE endpoint_id = ?1 AND state = 'pending' AND next_attempt_at <= ?2) "
    "AND " POSTERN_FIRST_OF_ITS_MESSAGE " AND " POSTERN_ENDPOINT_ENABLED " ORDER BY d.id LIMIT ?3";

// Reads a row of POSTERN_DELIVERY_COLUMNS. A name this version does not
// know (a newer one wrote it) reads as the state that promises least:
// failed, no more attempts; status queued.
WebhookDelivery read_delivery(Statement& row);

}  // namespace postern::store::sqlite
