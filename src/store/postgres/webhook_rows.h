// The SQL and row reading that the PostgreSQL webhook writer (leases) and
// reader (due deliveries, the log) share.
#pragma once

#include <string>

#include "store/postgres/connection.h"
#include "store/webhook_store.h"

namespace postern::store::postgres {

// A delivery's columns (d) and its event's (e), as read_delivery reads them.
#define POSTERN_PG_DELIVERY_COLUMNS                                               \
  "d.id, d.endpoint_id, d.state, d.attempts, postern_ms(d.created_at), "          \
  "postern_ms(d.next_attempt_at), postern_ms(d.last_attempt_at), d.last_status, " \
  "d.last_error, d.last_latency_us, e.id, e.type, e.message_id, e.recipient, "    \
  "postern_ms(e.at), e.status, e.provider, e.class, e.code, e.detail"

// Pending deliveries d of endpoint $1 due at $2 (Unix ms), each the
// earliest pending one of its message at this endpoint (so one message's
// changes go out in order while other messages go ahead), while the
// endpoint is enabled. A leased one is not due before its lease ends.
// State names as to_str(WebhookDeliveryState) spells them.
#define POSTERN_PG_DUE                                                                  \
  "d.endpoint_id = $1 AND d.state = 'pending' AND d.next_attempt_at <= postern_ts($2) " \
  "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.endpoint_id = $1 AND "    \
  "p.state = 'pending' AND p.message_id = d.message_id AND p.id < d.id) "               \
  "AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = $1 AND enabled)"

// Reads row i of POSTERN_PG_DELIVERY_COLUMNS. A name this version does not
// know (a newer one wrote it) reads as the state that promises least:
// failed, no more attempts; status queued.
WebhookDelivery read_delivery(const Rows& r, int i);

inline std::vector<WebhookDelivery> read_deliveries(const Rows& r) {
  std::vector<WebhookDelivery> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read_delivery(r, i));
  return out;
}

}  // namespace postern::store::postgres
