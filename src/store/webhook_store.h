// Webhooks out (docs/events.md "Webhooks out"): the user's endpoints, the
// state changes to tell them about, and each endpoint's queue of
// deliveries with its log. The same backend as the Store keeps it (one
// database, one group-commit writer), so a change and the event that tells
// of it commit together, and a queued delivery survives a crash.
//
// How a state change reaches an endpoint:
// 1. The writer records a WebhookEvent in the same transaction as the
//    change it tells of (enqueue, record_attempt, cancel, retry, a
//    provider's report, a recipient left out at intake), but only when an
//    enabled endpoint subscribes to its type: with no endpoint, intake and
//    delivery write nothing more.
// 2. fan_out() turns the events after an endpoint's cursor into that
//    endpoint's deliveries (one per event of a type it subscribes to) and
//    moves its cursor; an endpoint only ever grows its own queue.
// 3. The sender (events/webhook_sender.h) asks due_deliveries(), posts each,
//    and records the outcome with record_delivery_attempt().
//
// Writes are group-committed as the Store's (store.h: completions, threads,
// errors storage_full, storage_unavailable, overloaded, shutting_down);
// reads are synchronous and see committed data.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/message_id.h"
#include "store/store.h"

namespace postern::store {

struct WebhookEndpoint {
  std::string id;   // "ep_" and 20 random lower-case letters and digits
  std::string url;  // http:// or https://
  // Event types it is sent (events/webhook_event_types.h); empty: all.
  std::vector<std::string> events;
  // "whsec_" and the base64 of 24 random bytes: the key of the
  // webhook-signature HMAC. Kept in the store (it signs every delivery),
  // shown to the user once, when the endpoint is made.
  std::string secret;
  SystemTime created_at{};
  bool enabled = true;
  SystemTime disabled_at{};     // when it was disabled; epoch while enabled
  std::string disabled_reason;  // why ("failing since ...: <last error>", or "by request")
  // The first failed attempt since its last success; epoch when its last
  // attempt succeeded (or none was made). The sender disables an endpoint
  // failing for longer than its setting (24 h).
  SystemTime failing_since{};
};

// A state change to tell endpoints about. Its id orders every event of the
// node, and gives the webhook-id header ("evt_" and the id): the same for
// every endpoint and every redelivery of it.
struct WebhookEvent {
  std::int64_t id = 0;
  std::string type;  // events/webhook_event_types.h
  MessageId message;
  std::string recipient;  // for recipient.* types; "" for message.*
  SystemTime at{};
  MessageStatus status = MessageStatus::queued;  // the message's status after the change
  std::string provider;
  std::string failure_class;
  std::string code;
  std::string detail;
};

enum class WebhookDeliveryState {
  pending,    // waiting for its (next) attempt
  delivered,  // an attempt got a 2xx
  failed,     // retries spent (or its endpoint was deleted): no more attempts
};
std::string_view to_str(WebhookDeliveryState state);
std::optional<WebhookDeliveryState> parse_webhook_delivery_state(std::string_view name);

// One event queued to one endpoint, with the outcome of its last attempt.
struct WebhookDelivery {
  std::int64_t id = 0;  // increasing with the event's id within an endpoint
  std::string endpoint_id;
  WebhookEvent event;
  WebhookDeliveryState state = WebhookDeliveryState::pending;
  int attempts = 0;
  SystemTime created_at{};
  SystemTime next_attempt_at{};  // for pending
  SystemTime last_attempt_at{};  // epoch: none yet
  int last_status = 0;           // HTTP status of the last attempt; 0: no answer
  std::string last_error;        // "" after a 2xx; else what went wrong, clipped to 500 bytes
  std::chrono::microseconds last_latency{0};
};

// The outcome of one attempt of one delivery.
struct WebhookAttempt {
  std::int64_t delivery_id = 0;
  SystemTime at{};
  bool delivered = false;  // a 2xx
  int status = 0;          // 0: no answer (refused, timed out, TLS)
  std::string error;
  std::chrono::microseconds latency{0};
  // When not delivered: the next attempt's time, or nullopt when retries
  // are spent (the delivery becomes failed).
  std::optional<SystemTime> retry_at;
};

// What an attempt makes of its delivery, on every backend: its state, its
// next attempt's time (for pending; else the attempt's), and the error
// kept ("" after a 2xx; else at most 500 bytes).
struct WebhookAttemptOutcome {
  WebhookDeliveryState state;
  SystemTime next_attempt_at;
  std::string error;
};
WebhookAttemptOutcome outcome_of(const WebhookAttempt& attempt);

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // --- Writes (group-committed) ---

  // conflict when an endpoint with this id exists. Its cursor starts after
  // the last event recorded: it is told of changes from now on.
  virtual void create_endpoint(WebhookEndpoint endpoint, Completion<void> done) = 0;
  // Removes the endpoint and its queue and log. not_found for an unknown id.
  virtual void delete_endpoint(std::string id, Completion<void> done) = 0;
  // Stops (enabled = false, with the time and reason) or restarts an
  // endpoint. Events recorded while it is disabled are not queued to it
  // (restarting moves its cursor to the last event); its pending
  // deliveries wait, and are due at once when it restarts. not_found for
  // an unknown id.
  virtual void disable_endpoint(std::string id, SystemTime at, std::string reason,
                                Completion<void> done) = 0;
  virtual void enable_endpoint(std::string id, SystemTime now, Completion<void> done) = 0;

  // Queues to the endpoint, due at `now`, the events recorded after its
  // cursor (at most `limit` of them) whose type it subscribes to, and
  // moves its cursor past them. Answers how many events it read (0: the
  // endpoint is up to date, or disabled, or unknown).
  virtual void fan_out(std::string endpoint_id, SystemTime now, std::size_t limit,
                       Completion<std::size_t> done) = 0;

  // Records an attempt: the delivery's attempts, last outcome and state
  // (delivered; pending until retry_at; failed), and the endpoint's
  // failing_since (set by a failure when it was epoch, back to epoch by a
  // success). not_found when the delivery is gone (its endpoint deleted).
  virtual void record_delivery_attempt(WebhookAttempt attempt, Completion<void> done) = 0;

  // Leases to `owner` (a node and its sender) the deliveries
  // due_deliveries would answer, at most `limit`: each is then not due
  // again until now + lease (its next_attempt_at), so senders sharing the
  // store never post the same delivery at once, and one that stopped
  // leaves it due again when the lease ends. record_delivery_attempt (and
  // redeliver) end the lease. A lease longer than an attempt's timeout
  // keeps a slow endpoint's delivery with its sender.
  virtual void lease_deliveries(std::string endpoint_id, std::string owner, SystemTime now,
                                std::chrono::seconds lease, std::size_t limit,
                                Completion<std::vector<WebhookDelivery>> done) = 0;

  // Manual redeliver: the delivery becomes pending, due at `now`, whatever
  // its state. not_found for an unknown id.
  virtual void redeliver(std::int64_t delivery_id, SystemTime now, Completion<void> done) = 0;

  // Deletes up to `limit` deliveries that ended (delivered or failed)
  // before `before`, and the events every endpoint's cursor has passed that
  // no delivery refers to. Answers how many deliveries.
  virtual void purge_webhook_log(SystemTime before, std::size_t limit,
                                 Completion<std::size_t> done) = 0;

  // Called (on a store thread, the writer's or its sync stage's: post
  // elsewhere, return at once) after a
  // batch that recorded webhook events or made deliveries due is durable,
  // so the sender wakes without polling. One listener; set it before use.
  virtual void on_change(std::function<void()> listener) = 0;

  // --- Reads (synchronous, any thread) ---

  virtual Result<std::vector<WebhookEndpoint>> list_endpoints() = 0;
  virtual Result<std::optional<WebhookEndpoint>> endpoint(std::string_view id) = 0;
  // The endpoint's pending deliveries due at `now`, each the earliest
  // pending one of its message (so a message's changes go out in order),
  // oldest first, at most `limit`.
  virtual Result<std::vector<WebhookDelivery>> due_deliveries(std::string_view endpoint_id,
                                                              SystemTime now,
                                                              std::size_t limit) = 0;
  // The earliest next_attempt_at of the endpoint's pending deliveries that
  // are each the first pending one of their message (those due_deliveries
  // may answer), or nullopt when none is pending: when the sender must
  // look again. nullopt too while the endpoint is disabled.
  virtual Result<std::optional<SystemTime>> next_due(std::string_view endpoint_id) = 0;
  // The endpoint's deliveries newest first: those with an id below
  // `before_id` (0: from the newest), at most `limit`.
  virtual Result<std::vector<WebhookDelivery>> deliveries(std::string_view endpoint_id,
                                                          std::int64_t before_id,
                                                          std::size_t limit) = 0;
  virtual Result<std::optional<WebhookDelivery>> delivery(std::int64_t id) = 0;
};

}  // namespace postern::store
