// The write operations of webhooks out (store/webhook_store.h) on the
// PostgreSQL store's writer connection, and the recording of the webhook
// events the Store's writes tell of (store/webhook_tells.h). Each runs on
// the group-commit writer thread inside the batch's transaction; none
// commits by itself.
//
// Event ids. A fan-out moves an endpoint's cursor past the ids it read, so
// an id must never become visible after a larger one: with several nodes
// committing at once, a sequence would break that. So a transaction's
// events are kept here and written by flush(), just before its commit,
// taking their ids from the one row of webhook_event_ids, which the
// transaction holds until it commits: the next taker waits, and takes
// larger ids. (Taken last, after every other row a batch locks but the
// status counts, which come after it in every transaction: no deadlock.)
//
// Subscriptions. As on SQLite, the set of event types some enabled
// endpoint subscribes to is kept here, so the hot paths ask wants() (a bit
// test) and write nothing more with no endpoint. Another node may change
// the endpoints: each change NOTIFYs, the writer connection LISTENs, and
// begin() reads again after a notification or a new connection (what may
// have been missed), before the batch's first write.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/connection.h"
#include "store/webhook_store.h"
#include "store/webhook_tells.h"

namespace postern::store::postgres {

// The channel endpoint changes are told on; the writer's setup LISTENs.
inline constexpr const char* kWebhookChannel = "postern_webhook_endpoints";

class WebhookWriter {
 public:
  explicit WebhookWriter(Connection& c) : c_(c) {}

  // Before each transaction's writes.
  void begin();
  // Whether an enabled endpoint subscribes to `type`.
  bool wants(WebhookType type) {
    if (stale_) reload_subscriptions();
    return (subscribed_ >> type) & 1U;
  }
  // Records `e` as an event of `type` (its own `type` is not read), written
  // by flush(). Callers ask wants() first.
  Result<void> record(WebhookType type, const WebhookEvent& e);

  Result<void> create_endpoint(const WebhookEndpoint& endpoint);
  Result<void> delete_endpoint(const std::string& id);
  Result<void> disable_endpoint(const std::string& id, SystemTime at, const std::string& reason);
  Result<void> enable_endpoint(const std::string& id, SystemTime now);
  Result<std::size_t> fan_out(const std::string& endpoint_id, SystemTime now, std::size_t limit);
  Result<std::vector<WebhookDelivery>> lease(const std::string& endpoint_id,
                                             const std::string& owner, SystemTime now,
                                             std::chrono::seconds lease, std::size_t limit);
  Result<void> record_delivery_attempt(const WebhookAttempt& attempt);
  Result<void> redeliver(std::int64_t delivery_id, SystemTime now);
  Result<std::size_t> purge(SystemTime before, std::size_t limit);

  // Just before the commit: writes the transaction's events (deferred, sent
  // with the commit).
  void flush();
  // The transaction rolled back: its events are gone, the subscriptions
  // are read again, and no change is told of.
  void discard();
  // Whether the transaction just committed recorded events or made
  // deliveries due; forgets it.
  bool take_changed() { return std::exchange(changed_, false); }

 private:
  // Reads the subscriptions of the enabled endpoints; on a failure, takes
  // every type (recording too much is harmless) and tries again next time.
  void reload_subscriptions();
  // This transaction changed an endpoint: read the subscriptions now, and
  // tell the other nodes at the commit.
  void endpoints_changed();

  struct Pending {
    WebhookType type;
    WebhookEvent event;
  };

  Connection& c_;
  std::vector<Pending> pending_;
  std::uint32_t subscribed_ = 0;  // a bit per WebhookType
  bool stale_ = true;
  bool changed_ = false;
  std::uint64_t generation_ = 0;  // of the connection the subscriptions were read on
};

}  // namespace postern::store::postgres
