#include "store/sqlite/webhook_writer.h"

#include "store/codec.h"
#include "store/sqlite/webhook_rows.h"

namespace postern::store::sqlite {
namespace {

// The id of the last event ever recorded, also once retention deleted it.
#define POSTERN_LAST_WEBHOOK_EVENT \
  "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'webhook_events'), 0)"

constexpr std::string_view kInsertEvent =
    "INSERT INTO webhook_events(type, message_id, recipient, at, status, provider, class, code, "
    "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr std::string_view kSubscriptions =
    "SELECT events FROM webhook_endpoints WHERE enabled = 1";
// Told of changes from now on: its cursor starts at the last event.
constexpr std::string_view kInsertEndpoint =
    "INSERT INTO webhook_endpoints(id, url, events, secret, created_at, enabled, disabled_at, "
    "disabled_reason, failing_since, cursor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "?9, " POSTERN_LAST_WEBHOOK_EVENT ") ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kDeleteQueue = "DELETE FROM webhook_deliveries WHERE endpoint_id = ?1";
constexpr std::string_view kDeleteEndpoint = "DELETE FROM webhook_endpoints WHERE id = ?1";
constexpr std::string_view kDisable =
    "UPDATE webhook_endpoints SET enabled = 0, disabled_at = ?2, disabled_reason = ?3 "
    "WHERE id = ?1";
// Only a disabled endpoint: enabling an enabled one must neither skip the
// events it has not fanned out yet nor cut its deliveries' back-off short.
// Its failing_since starts again: the sender would disable it at once.
constexpr std::string_view kEnable =
    "UPDATE webhook_endpoints SET enabled = 1, disabled_at = 0, disabled_reason = '', "
    "failing_since = 0, cursor = " POSTERN_LAST_WEBHOOK_EVENT " WHERE id = ?1 AND enabled = 0";
constexpr std::string_view kEndpointExists = "SELECT 1 FROM webhook_endpoints WHERE id = ?1";
// State names as to_str(WebhookDeliveryState) spells them
// (stored_values_test.cpp pins both).
constexpr std::string_view kDueNow =
    "UPDATE webhook_deliveries INDEXED BY webhook_deliveries_pending SET next_attempt_at = ?2 "
    "WHERE endpoint_id = ?1 AND state = 'pending'";
constexpr std::string_view kFanOutEndpoint =
    "SELECT enabled, events, cursor FROM webhook_endpoints WHERE id = ?1";
constexpr std::string_view kEventsAfter =
    "SELECT id, type, message_id FROM webhook_events WHERE id > ?1 ORDER BY id LIMIT ?2";
constexpr std::string_view kQueue =
    "INSERT INTO webhook_deliveries(endpoint_id, event_id, message_id, state, created_at, "
    "next_attempt_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?4)";
constexpr std::string_view kMoveCursor = "UPDATE webhook_endpoints SET cursor = ?2 WHERE id = ?1";
constexpr std::string_view kAttempt =
    "UPDATE webhook_deliveries SET attempts = attempts + 1, state = ?2, next_attempt_at = ?3, "
    "last_attempt_at = ?4, last_status = ?5, last_error = ?6, last_latency_us = ?7 WHERE id = ?1 "
    "RETURNING endpoint_id, message_id";
// The later pending deliveries of the same message wait behind it (they go
// out in order): a retry moves them to no earlier than its time (?4), an
// end to no later than now (?4). So they are not due before they can go,
// and the sender's next look (next_due) is never early.
constexpr std::string_view kHoldFollowers =
    "UPDATE webhook_deliveries INDEXED BY webhook_deliveries_pending_by_message "
    "SET next_attempt_at = ?4 WHERE endpoint_id = ?1 AND message_id = ?2 AND state = 'pending' "
    "AND id > ?3 AND next_attempt_at < ?4";
constexpr std::string_view kReleaseFollowers =
    "UPDATE webhook_deliveries INDEXED BY webhook_deliveries_pending_by_message "
    "SET next_attempt_at = ?4 WHERE endpoint_id = ?1 AND message_id = ?2 AND state = 'pending' "
    "AND id > ?3 AND next_attempt_at > ?4";
// A success ends a failing streak; the first failure after one starts it.
constexpr std::string_view kFailing =
    "UPDATE webhook_endpoints SET failing_since = CASE WHEN ?2 THEN 0 WHEN failing_since = 0 "
    "THEN ?3 ELSE failing_since END WHERE id = ?1";
constexpr std::string_view kLease =
    "UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1";
constexpr std::string_view kRedeliver =
    "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?2 WHERE id = ?1";
constexpr std::string_view kPurgeDeliveries =
    "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries INDEXED BY "
    "webhook_deliveries_ended WHERE state <> 'pending' AND last_attempt_at < ?1 "
    "ORDER BY last_attempt_at LIMIT ?2)";
// Events that no enabled endpoint will fan out again (disabled ones skip
// to the last event when they restart) and that no delivery shows.
constexpr std::string_view kPurgeEvents =
    "DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.id <= "
    "(SELECT COALESCE(MIN(cursor), 9223372036854775807) FROM webhook_endpoints WHERE enabled = 1) "
    "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) "
    "ORDER BY e.id LIMIT ?1)";

}  // namespace

Result<std::unique_ptr<WebhookWriter>> WebhookWriter::create(Database& db) {
  StatementCache st;
  if (auto r = st.add(db, {kInsertEvent,
                           kSubscriptions,
                           kInsertEndpoint,
                           kDeleteQueue,
                           kDeleteEndpoint,
                           kDisable,
                           kEnable,
                           kEndpointExists,
                           kDueNow,
                           kFanOutEndpoint,
                           kEventsAfter,
                           kQueue,
                           kMoveCursor,
                           kAttempt,
                           kHoldFollowers,
                           kReleaseFollowers,
                           kFailing,
                           kRedeliver,
                           kPurgeDeliveries,
                           kPurgeEvents,
                           kDue,
                           kLease});
      !r)
    return r.error();
  std::unique_ptr<WebhookWriter> w(new WebhookWriter(db, std::move(st)));
  w->reload_subscriptions();
  if (w->stale_) return error_code(Errc::storage_unavailable);
  return w;
}

WebhookWriter::WebhookWriter(Database& db, StatementCache st) : db_(db), st_(std::move(st)) {}

void WebhookWriter::reload_subscriptions() {
  std::uint32_t mask = 0;
  auto read = st_[kSubscriptions].each_row(
      [&](Statement& row) { mask |= subscription_mask(row.column_view(0)); });
  subscribed_ = read ? mask : ~0U;
  stale_ = !read;
}

void WebhookWriter::discard() {
  stale_ = true;
  changed_ = false;
}

Result<void> WebhookWriter::changed_a_row(Result<void> ran) {
  if (!ran) return ran;
  if (db_.changes() == 0) return Errc::not_found;
  return {};
}

Result<void> WebhookWriter::record(WebhookType type, const WebhookEvent& e) {
  changed_ = true;
  return st_[kInsertEvent]
      .bind(1, events::kWebhookEventTypes[type])
      .bind(2, static_cast<std::int64_t>(e.message.value()))
      .bind(3, e.recipient)
      .bind(4, to_unix_ms(e.at))
      .bind(5, to_string(e.status))
      .bind(6, e.provider)
      .bind(7, e.failure_class)
      .bind(8, e.code)
      .bind(9, e.detail)
      .run();
}

Result<void> WebhookWriter::create_endpoint(const WebhookEndpoint& ep) {
  const auto events = join_lines(ep.events);
  auto inserted = st_[kInsertEndpoint]
                      .bind(1, ep.id)
                      .bind(2, ep.url)
                      .bind(3, events)
                      .bind(4, ep.secret)
                      .bind(5, to_unix_ms(ep.created_at))
                      .bind(6, std::int64_t{ep.enabled ? 1 : 0})
                      .bind(7, to_unix_ms(ep.disabled_at))
                      .bind(8, ep.disabled_reason)
                      .bind(9, to_unix_ms(ep.failing_since))
                      .run();
  if (auto r = changed_a_row(inserted); !r) {
    return r.error() == Errc::not_found ? error_code(Errc::conflict) : r.error();
  }
  reload_subscriptions();
  return {};
}

Result<void> WebhookWriter::delete_endpoint(const std::string& id) {
  if (auto r = changed_a_row(st_[kDeleteEndpoint].bind(1, id).run()); !r) return r;
  if (auto r = st_[kDeleteQueue].bind(1, id).run(); !r) return r;
  reload_subscriptions();
  return {};
}

Result<void> WebhookWriter::disable_endpoint(const std::string& id, SystemTime at,
                                             const std::string& reason) {
  auto disabled = st_[kDisable].bind(1, id).bind(2, to_unix_ms(at)).bind(3, reason).run();
  if (auto r = changed_a_row(disabled); !r) return r;
  reload_subscriptions();
  return {};
}

Result<void> WebhookWriter::enable_endpoint(const std::string& id, SystemTime now) {
  auto enabled = changed_a_row(st_[kEnable].bind(1, id).run());
  if (!enabled && enabled.error() == Errc::not_found) {
    // Enabled already (nothing to do), or unknown.
    auto exists =
        st_[kEndpointExists].bind(1, id).one_row(Errc::not_found, [](auto&) { return true; });
    if (!exists) return exists.error();
    return {};
  }
  if (!enabled) return enabled;
  if (auto r = st_[kDueNow].bind(1, id).bind(2, to_unix_ms(now)).run(); !r) return r;
  if (db_.changes() > 0) changed_ = true;
  reload_subscriptions();
  return {};
}

Result<std::size_t> WebhookWriter::fan_out(const std::string& endpoint_id, SystemTime now,
                                           std::size_t limit) {
  struct Endpoint {
    bool enabled;
    std::uint32_t mask;
    std::int64_t cursor;
  };
  auto ep = st_[kFanOutEndpoint].bind(1, endpoint_id).one_row(Errc::not_found, [](Statement& s) {
    return Endpoint{s.column_int(0) != 0, subscription_mask(s.column_view(1)), s.column_int(2)};
  });
  if (!ep && ep.error() == Errc::not_found) return std::size_t{0};
  if (!ep) return ep.error();
  if (!ep->enabled || limit == 0) return std::size_t{0};
  struct Queued {
    std::int64_t event;
    std::int64_t message;
  };
  std::vector<Queued> queue;
  std::size_t read = 0;
  std::int64_t last = ep->cursor;
  auto scanned = st_[kEventsAfter]
                     .bind(1, ep->cursor)
                     .bind(2, static_cast<std::int64_t>(limit))
                     .each_row([&](Statement& s) {
                       ++read;
                       last = s.column_int(0);
                       if (subscribes(ep->mask, s.column_view(1)))
                         queue.push_back({last, s.column_int(2)});
                     });
  if (!scanned) return scanned.error();
  if (read == 0) return std::size_t{0};
  const auto at = to_unix_ms(now);
  for (const auto& q : queue) {
    if (auto r =
            st_[kQueue].bind(1, endpoint_id).bind(2, q.event).bind(3, q.message).bind(4, at).run();
        !r)
      return r.error();
  }
  if (auto r = st_[kMoveCursor].bind(1, endpoint_id).bind(2, last).run(); !r) return r.error();
  if (!queue.empty()) changed_ = true;
  return read;
}

Result<void> WebhookWriter::record_delivery_attempt(const WebhookAttempt& a) {
  const auto [state, next, error] = outcome_of(a);
  struct Row {
    std::string endpoint;
    std::int64_t message;
  };
  auto row = st_[kAttempt]
                 .bind(1, a.delivery_id)
                 .bind(2, to_str(state))
                 .bind(3, to_unix_ms(next))
                 .bind(4, to_unix_ms(a.at))
                 .bind(5, std::int64_t{a.status})
                 .bind(6, error)
                 .bind(7, static_cast<std::int64_t>(a.latency.count()))
                 .one_row(Errc::not_found, [](Statement& s) {
                   return Row{s.column_text(0), s.column_int(1)};
                 });
  if (!row) return row.error();
  auto& followers =
      st_[state == WebhookDeliveryState::pending ? kHoldFollowers : kReleaseFollowers];
  if (auto r = followers.bind(1, row->endpoint)
                   .bind(2, row->message)
                   .bind(3, a.delivery_id)
                   .bind(4, to_unix_ms(next))
                   .run();
      !r)
    return r;
  return st_[kFailing]
      .bind(1, row->endpoint)
      .bind(2, std::int64_t{a.delivered ? 1 : 0})
      .bind(3, to_unix_ms(a.at))
      .run();
}

Result<std::vector<WebhookDelivery>> WebhookWriter::lease(const std::string& endpoint_id,
                                                          const std::string& /*owner*/,
                                                          SystemTime now,
                                                          std::chrono::seconds lease,
                                                          std::size_t limit) {
  std::vector<WebhookDelivery> out;
  auto due = st_[kDue]
                 .bind(1, endpoint_id)
                 .bind(2, to_unix_ms(now))
                 .bind(3, static_cast<std::int64_t>(limit))
                 .each_row([&](Statement& row) { out.push_back(read_delivery(row)); });
  if (!due) return due.error();
  for (auto& d : out) {
    d.next_attempt_at = now + lease;
    if (auto r = st_[kLease].bind(1, d.id).bind(2, to_unix_ms(d.next_attempt_at)).run(); !r)
      return r.error();
  }
  return out;
}

Result<void> WebhookWriter::redeliver(std::int64_t delivery_id, SystemTime now) {
  auto r = changed_a_row(st_[kRedeliver].bind(1, delivery_id).bind(2, to_unix_ms(now)).run());
  if (r) changed_ = true;
  return r;
}

Result<std::size_t> WebhookWriter::purge(SystemTime before, std::size_t limit) {
  if (auto r = st_[kPurgeDeliveries]
                   .bind(1, to_unix_ms(before))
                   .bind(2, static_cast<std::int64_t>(limit))
                   .run();
      !r)
    return r.error();
  auto purged = static_cast<std::size_t>(db_.changes());
  if (auto r = st_[kPurgeEvents].bind(1, static_cast<std::int64_t>(limit)).run(); !r)
    return r.error();
  return purged;
}

}  // namespace postern::store::sqlite
