#include "store/postgres/webhook_writer.h"

#include "store/codec.h"
#include "store/postgres/webhook_rows.h"

namespace postern::store::postgres {
namespace {

// The id of the last event ever recorded, also once retention deleted it.
#define POSTERN_PG_LAST_WEBHOOK_EVENT "(SELECT last FROM webhook_event_ids)"

// Told of changes from now on: its cursor starts at the last event.
constexpr const char* kInsertEndpoint =
    "INSERT INTO webhook_endpoints(id, url, events, secret, created_at, enabled, disabled_at, "
    "disabled_reason, failing_since, cursor) VALUES ($1, $2, $3, $4, postern_ts($5), $6, "
    "postern_ts($7), $8, postern_ts($9), " POSTERN_PG_LAST_WEBHOOK_EVENT
    ") ON CONFLICT (id) DO NOTHING";
// Only a disabled endpoint: enabling an enabled one must neither skip the
// events it has not fanned out yet nor cut its deliveries' back-off short.
// Its failing_since starts again: the sender would disable it at once.
constexpr const char* kEnable =
    "UPDATE webhook_endpoints SET enabled = true, disabled_at = 'epoch', disabled_reason = '', "
    "failing_since = 'epoch', cursor = " POSTERN_PG_LAST_WEBHOOK_EVENT
    " WHERE id = $1 AND NOT enabled";
constexpr const char* kInsertEvent =
    "INSERT INTO webhook_events(id, type, message_id, recipient, at, status, provider, class, "
    "code, detail) SELECT last - $1, $2, $3, $4, postern_ts($5), $6, $7, $8, $9, $10 "
    "FROM webhook_event_ids";
// The later pending deliveries of the same message wait behind it (they go
// out in order): a retry moves them to no earlier than its time ($4), an
// end to no later than now ($4). So they are not due before they can go,
// and the sender's next look (next_due) is never early.
constexpr const char* kHoldFollowers =
    "UPDATE webhook_deliveries SET next_attempt_at = postern_ts($4) WHERE endpoint_id = $1 AND "
    "message_id = $2 AND state = 'pending' AND id > $3 AND next_attempt_at < postern_ts($4)";
constexpr const char* kReleaseFollowers =
    "UPDATE webhook_deliveries SET next_attempt_at = postern_ts($4) WHERE endpoint_id = $1 AND "
    "message_id = $2 AND state = 'pending' AND id > $3 AND next_attempt_at > postern_ts($4)";

// not_found when `r` touched no row.
Result<void> touched_a_row(const Result<Rows>& r) {
  if (!r) return r.error();
  if (r->affected() == 0) return Errc::not_found;
  return {};
}

}  // namespace

void WebhookWriter::begin() {
  if (c_.generation() != generation_ || c_.take_notifications()) stale_ = true;
}

void WebhookWriter::reload_subscriptions() {
  generation_ = c_.generation();
  std::uint32_t mask = 0;
  auto rows = c_.query("SELECT events FROM webhook_endpoints WHERE enabled");
  if (rows) {
    for (int i = 0; i < rows->size(); ++i) mask |= subscription_mask(rows->view(i, 0));
  }
  subscribed_ = rows ? mask : ~0U;
  stale_ = !rows;
}

void WebhookWriter::endpoints_changed() {
  reload_subscriptions();
  c_.defer(std::string("NOTIFY ") + kWebhookChannel, {});
}

void WebhookWriter::discard() {
  pending_.clear();
  stale_ = true;
  changed_ = false;
}

Result<void> WebhookWriter::record(WebhookType type, const WebhookEvent& e) {
  changed_ = true;
  pending_.push_back({type, e});
  return {};
}

void WebhookWriter::flush() {
  if (pending_.empty()) return;
  const auto n = static_cast<std::int64_t>(pending_.size());
  c_.defer("UPDATE webhook_event_ids SET last = last + $1", Params().integer(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const auto& [type, e] = pending_[static_cast<std::size_t>(i)];
    c_.defer(kInsertEvent, Params()
                               .integer(n - 1 - i)
                               .text(events::kWebhookEventTypes[type])
                               .integer(static_cast<std::int64_t>(e.message.value()))
                               .text(e.recipient)
                               .integer(to_unix_ms(e.at))
                               .text(to_string(e.status))
                               .text(e.provider)
                               .text(e.failure_class)
                               .text(e.code)
                               .text(e.detail));
  }
  pending_.clear();
}

Result<void> WebhookWriter::create_endpoint(const WebhookEndpoint& ep) {
  auto inserted = c_.query(kInsertEndpoint, Params()
                                                .text(ep.id)
                                                .text(ep.url)
                                                .text(join_lines(ep.events))
                                                .text(ep.secret)
                                                .integer(to_unix_ms(ep.created_at))
                                                .text(ep.enabled ? "true" : "false")
                                                .integer(to_unix_ms(ep.disabled_at))
                                                .text(ep.disabled_reason)
                                                .integer(to_unix_ms(ep.failing_since)));
  if (auto r = touched_a_row(inserted); !r) {
    return r.error() == Errc::not_found ? error_code(Errc::conflict) : r.error();
  }
  endpoints_changed();
  return {};
}

Result<void> WebhookWriter::delete_endpoint(const std::string& id) {
  auto deleted = c_.query("DELETE FROM webhook_endpoints WHERE id = $1", Params().text(id));
  if (auto r = touched_a_row(deleted); !r) return r;
  c_.defer("DELETE FROM webhook_deliveries WHERE endpoint_id = $1", Params().text(id));
  endpoints_changed();
  return {};
}

Result<void> WebhookWriter::disable_endpoint(const std::string& id, SystemTime at,
                                             const std::string& reason) {
  auto disabled = c_.query(
      "UPDATE webhook_endpoints SET enabled = false, disabled_at = postern_ts($2), "
      "disabled_reason = $3 WHERE id = $1",
      Params().text(id).integer(to_unix_ms(at)).text(reason));
  if (auto r = touched_a_row(disabled); !r) return r;
  endpoints_changed();
  return {};
}

Result<void> WebhookWriter::enable_endpoint(const std::string& id, SystemTime now) {
  auto enabled = c_.query(kEnable, Params().text(id));
  if (!enabled) return enabled.error();
  if (enabled->affected() == 0) {
    // Enabled already (nothing to do), or unknown.
    auto exists = c_.query("SELECT 1 FROM webhook_endpoints WHERE id = $1", Params().text(id));
    if (!exists) return exists.error();
    if (exists->size() == 0) return Errc::not_found;
    return {};
  }
  // Its waiting deliveries are due at once; a lease taken before it was
  // disabled ends too.
  auto due = c_.query(
      "UPDATE webhook_deliveries SET next_attempt_at = postern_ts($2), lease_owner = NULL "
      "WHERE endpoint_id = $1 AND state = 'pending'",
      Params().text(id).integer(to_unix_ms(now)));
  if (!due) return due.error();
  if (due->affected() > 0) changed_ = true;
  endpoints_changed();
  return {};
}

Result<std::size_t> WebhookWriter::fan_out(const std::string& endpoint_id, SystemTime now,
                                           std::size_t limit) {
  // FOR UPDATE: nodes fanning out the same endpoint at once take turns, the
  // second reading the cursor the first moved.
  auto ep =
      c_.query("SELECT enabled, events, cursor FROM webhook_endpoints WHERE id = $1 FOR UPDATE",
               Params().text(endpoint_id));
  if (!ep) return ep.error();
  if (ep->size() == 0 || ep->view(0, 0) != "t" || limit == 0) return std::size_t{0};
  const auto mask = subscription_mask(ep->view(0, 1));
  const auto cursor = ep->integer(0, 2);
  auto events = c_.query("SELECT id, type FROM webhook_events WHERE id > $1 ORDER BY id LIMIT $2",
                         Params().integer(cursor).integer(static_cast<std::int64_t>(limit)));
  if (!events) return events.error();
  if (events->size() == 0) return std::size_t{0};
  const auto last = events->integer(events->size() - 1, 0);
  bool queued = false;
  for (int i = 0; i < events->size(); ++i) queued = queued || subscribes(mask, events->view(i, 1));
  // The events read, of the types it subscribes to ('' for all), in id order.
  if (queued) {
    c_.defer(
        "INSERT INTO webhook_deliveries(endpoint_id, event_id, message_id, state, created_at, "
        "next_attempt_at) SELECT $1, id, message_id, 'pending', postern_ts($4), postern_ts($4) "
        "FROM webhook_events WHERE id > $2 AND id <= $3 AND ($5 = '' OR type = ANY("
        "string_to_array($5, E'\\n'))) ORDER BY id",
        Params()
            .text(endpoint_id)
            .integer(cursor)
            .integer(last)
            .integer(to_unix_ms(now))
            .text(ep->view(0, 1)));
    changed_ = true;
  }
  c_.defer("UPDATE webhook_endpoints SET cursor = $2 WHERE id = $1",
           Params().text(endpoint_id).integer(last));
  return static_cast<std::size_t>(events->size());
}

Result<std::vector<WebhookDelivery>> WebhookWriter::lease(const std::string& endpoint_id,
                                                          const std::string& owner, SystemTime now,
                                                          std::chrono::seconds lease,
                                                          std::size_t limit) {
  // SKIP LOCKED: deliveries another node is leasing right now are left to
  // it; one it leased and committed is no longer due (its lease moved its
  // next attempt), which the lock's re-check sees.
  auto rows =
      c_.query("WITH due AS (SELECT d.id FROM webhook_deliveries d WHERE " POSTERN_PG_DUE
               " ORDER BY d.id LIMIT $5 FOR UPDATE OF d SKIP LOCKED), "
               "leased AS (UPDATE webhook_deliveries d SET next_attempt_at = postern_ts($4), "
               "lease_owner = $3 FROM due WHERE d.id = due.id RETURNING d.*) "
               "SELECT " POSTERN_PG_DELIVERY_COLUMNS
               " FROM leased d JOIN webhook_events e ON e.id = d.event_id ORDER BY d.id",
               Params()
                   .text(endpoint_id)
                   .integer(to_unix_ms(now))
                   .text(owner)
                   .integer(to_unix_ms(now + lease))
                   .integer(static_cast<std::int64_t>(limit)));
  if (!rows) return rows.error();
  return read_deliveries(*rows);
}

Result<void> WebhookWriter::record_delivery_attempt(const WebhookAttempt& a) {
  const auto [state, next, error] = outcome_of(a);
  auto row = c_.query(
      "UPDATE webhook_deliveries SET attempts = attempts + 1, state = $2, "
      "next_attempt_at = postern_ts($3), last_attempt_at = postern_ts($4), last_status = $5, "
      "last_error = $6, last_latency_us = $7, lease_owner = NULL WHERE id = $1 "
      "RETURNING endpoint_id, message_id",
      Params()
          .integer(a.delivery_id)
          .text(to_str(state))
          .integer(to_unix_ms(next))
          .integer(to_unix_ms(a.at))
          .integer(a.status)
          .text(error)
          .integer(static_cast<std::int64_t>(a.latency.count())));
  if (!row) return row.error();
  if (row->size() == 0) return Errc::not_found;
  const auto endpoint = row->text(0, 0);
  c_.defer(state == WebhookDeliveryState::pending ? kHoldFollowers : kReleaseFollowers,
           Params()
               .text(endpoint)
               .integer(row->integer(0, 1))
               .integer(a.delivery_id)
               .integer(to_unix_ms(next)));
  // A success ends a failing streak; the first failure after one starts it.
  c_.defer(
      "UPDATE webhook_endpoints SET failing_since = CASE WHEN $2 THEN 'epoch'::timestamptz "
      "WHEN failing_since = 'epoch' THEN postern_ts($3) ELSE failing_since END WHERE id = $1",
      Params().text(endpoint).text(a.delivered ? "true" : "false").integer(to_unix_ms(a.at)));
  return {};
}

Result<void> WebhookWriter::redeliver(std::int64_t delivery_id, SystemTime now) {
  auto r = touched_a_row(
      c_.query("UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = postern_ts($2), "
               "lease_owner = NULL WHERE id = $1",
               Params().integer(delivery_id).integer(to_unix_ms(now))));
  if (r) changed_ = true;
  return r;
}

Result<std::size_t> WebhookWriter::purge(SystemTime before, std::size_t limit) {
  // Rows another node holds locked are left for the next round.
  auto purged = c_.query(
      "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries "
      "WHERE state <> 'pending' AND last_attempt_at < postern_ts($1) ORDER BY last_attempt_at "
      "LIMIT $2 FOR UPDATE SKIP LOCKED)",
      Params().integer(to_unix_ms(before)).integer(static_cast<std::int64_t>(limit)));
  if (!purged) return purged.error();
  // Events that no enabled endpoint will fan out again (disabled ones skip
  // to the last event when they restart) and that no delivery shows.
  c_.defer(
      "DELETE FROM webhook_events WHERE id IN (SELECT e.id FROM webhook_events e WHERE e.id <= "
      "(SELECT coalesce(min(cursor), 9223372036854775807) FROM webhook_endpoints WHERE enabled) "
      "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) "
      "ORDER BY e.id LIMIT $1)",
      Params().integer(static_cast<std::int64_t>(limit)));
  return static_cast<std::size_t>(purged->affected());
}

}  // namespace postern::store::postgres
