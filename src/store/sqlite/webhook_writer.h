// The write operations of webhooks out (store/webhook_store.h) on the
// SQLite store's writer connection, and the recording of the webhook events
// that the Store's and the provider events' writes tell of. Each runs on
// the group-commit writer thread inside the batch's transaction, like
// Writer's; none commits by itself.
//
// The set of event types some enabled endpoint subscribes to is kept here,
// on the writer's thread: loaded at open, reloaded inside the transactions
// that change an endpoint (they see their own change), and after a
// rollback. The hot paths ask wants() (a bit test) before they build an
// event, so with no endpoint they write and allocate nothing more.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/database.h"
#include "store/sqlite/statement_cache.h"
#include "store/webhook_store.h"
#include "store/webhook_tells.h"

namespace postern::store::sqlite {

class WebhookWriter {
 public:
  static Result<std::unique_ptr<WebhookWriter>> create(Database& db);

  // Whether an enabled endpoint subscribes to `type`.
  bool wants(WebhookType type) {
    if (stale_) reload_subscriptions();
    return (subscribed_ >> type) & 1U;
  }
  // Records `e` as an event of `type` (its own `type` is not read). Callers
  // ask wants() first.
  Result<void> record(WebhookType type, const WebhookEvent& e);

  Result<void> create_endpoint(const WebhookEndpoint& endpoint);
  Result<void> delete_endpoint(const std::string& id);
  Result<void> disable_endpoint(const std::string& id, SystemTime at, const std::string& reason);
  Result<void> enable_endpoint(const std::string& id, SystemTime now);
  Result<std::size_t> fan_out(const std::string& endpoint_id, SystemTime now, std::size_t limit);
  // One node on SQLite: the lease keeps no owner, only its end.
  Result<std::vector<WebhookDelivery>> lease(const std::string& endpoint_id,
                                             const std::string& owner, SystemTime now,
                                             std::chrono::seconds lease, std::size_t limit);
  Result<void> record_delivery_attempt(const WebhookAttempt& attempt);
  Result<void> redeliver(std::int64_t delivery_id, SystemTime now);
  Result<std::size_t> purge(SystemTime before, std::size_t limit);

  // The transaction rolled back: what it changed is gone, so the
  // subscriptions are read again and no change is told of.
  void discard();
  // Whether the transaction just committed recorded events or made
  // deliveries due; forgets it.
  bool take_changed() { return std::exchange(changed_, false); }

 private:
  WebhookWriter(Database& db, StatementCache st);

  // Reads the subscriptions of the enabled endpoints; on a failure, takes
  // every type (recording too much is harmless) and tries again next time.
  void reload_subscriptions();
  // not_found when the statement that `ran` changed no row.
  Result<void> changed_a_row(Result<void> ran);

  Database& db_;
  StatementCache st_;
  std::uint32_t subscribed_ = 0;  // a bit per WebhookType
  bool stale_ = true;
  bool changed_ = false;
};

}  // namespace postern::store::sqlite
