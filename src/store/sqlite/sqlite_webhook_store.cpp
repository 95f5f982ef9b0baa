#include "store/sqlite/sqlite_webhook_store.h"

namespace postern::store::sqlite {

void SqliteWebhookStore::create_endpoint(WebhookEndpoint endpoint, Completion<void> done) {
  write([e = std::move(endpoint)](WebhookWriter& w) { return w.create_endpoint(e); },
        std::move(done));
}

void SqliteWebhookStore::delete_endpoint(std::string id, Completion<void> done) {
  write([id = std::move(id)](WebhookWriter& w) { return w.delete_endpoint(id); }, std::move(done));
}

void SqliteWebhookStore::disable_endpoint(std::string id, SystemTime at, std::string reason,
                                          Completion<void> done) {
  write([id = std::move(id), at, reason = std::move(reason)](
            WebhookWriter& w) { return w.disable_endpoint(id, at, reason); },
        std::move(done));
}

void SqliteWebhookStore::enable_endpoint(std::string id, SystemTime now, Completion<void> done) {
  write([id = std::move(id), now](WebhookWriter& w) { return w.enable_endpoint(id, now); },
        std::move(done));
}

void SqliteWebhookStore::fan_out(std::string endpoint_id, SystemTime now, std::size_t limit,
                                 Completion<std::size_t> done) {
  write([id = std::move(endpoint_id), now,
         limit](WebhookWriter& w) { return w.fan_out(id, now, limit); },
        std::move(done));
}

void SqliteWebhookStore::record_delivery_attempt(WebhookAttempt attempt, Completion<void> done) {
  write([a = std::move(attempt)](WebhookWriter& w) { return w.record_delivery_attempt(a); },
        std::move(done));
}

void SqliteWebhookStore::redeliver(std::int64_t delivery_id, SystemTime now,
                                   Completion<void> done) {
  write([delivery_id, now](WebhookWriter& w) { return w.redeliver(delivery_id, now); },
        std::move(done));
}

void SqliteWebhookStore::purge_webhook_log(SystemTime before, std::size_t limit,
                                           Completion<std::size_t> done) {
  write([before, limit](WebhookWriter& w) { return w.purge(before, limit); }, std::move(done));
}

Result<std::vector<WebhookEndpoint>> SqliteWebhookStore::list_endpoints() {
  return read()->list_endpoints();
}

Result<std::optional<WebhookEndpoint>> SqliteWebhookStore::endpoint(std::string_view id) {
  return read()->endpoint(id);
}

Result<std::vector<WebhookDelivery>> SqliteWebhookStore::due_deliveries(
    std::string_view endpoint_id, SystemTime now, std::size_t limit) {
  return read()->due_deliveries(endpoint_id, now, limit);
}

Result<std::optional<SystemTime>> SqliteWebhookStore::next_due(std::string_view endpoint_id) {
  return read()->next_due(endpoint_id);
}

Result<std::vector<WebhookDelivery>> SqliteWebhookStore::deliveries(std::string_view endpoint_id,
                                                                    std::int64_t before_id,
                                                                    std::size_t limit) {
  return read()->deliveries(endpoint_id, before_id, limit);
}

Result<std::optional<WebhookDelivery>> SqliteWebhookStore::delivery(std::int64_t id) {
  return read()->delivery(id);
}

}  // namespace postern::store::sqlite
