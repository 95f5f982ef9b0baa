// Webhooks out on the SQLite store (SqliteStore::webhooks()), written in
// the same transactions as the changes their events tell of.
#pragma once

#include <functional>

#include "store/sqlite/committed_part.h"
#include "store/sqlite/webhook_reader.h"
#include "store/sqlite/webhook_writer.h"
#include "store/webhook_store.h"

namespace postern::store::sqlite {

class SqliteWebhookStore final : public WebhookStore,
                                 private CommittedPart<WebhookWriter, WebhookReader> {
 public:
  using CommittedPart::CommittedPart;

  void create_endpoint(WebhookEndpoint endpoint, Completion<void> done) override;
  void delete_endpoint(std::string id, Completion<void> done) override;
  void disable_endpoint(std::string id, SystemTime at, std::string reason,
                        Completion<void> done) override;
  void enable_endpoint(std::string id, SystemTime now, Completion<void> done) override;
  void fan_out(std::string endpoint_id, SystemTime now, std::size_t limit,
               Completion<std::size_t> done) override;
  void record_delivery_attempt(WebhookAttempt attempt, Completion<void> done) override;
  void redeliver(std::int64_t delivery_id, SystemTime now, Completion<void> done) override;
  void purge_webhook_log(SystemTime before, std::size_t limit,
                         Completion<std::size_t> done) override;
  void on_change(std::function<void()> listener) override { listener_ = std::move(listener); }

  Result<std::vector<WebhookEndpoint>> list_endpoints() override;
  Result<std::optional<WebhookEndpoint>> endpoint(std::string_view id) override;
  Result<std::vector<WebhookDelivery>> due_deliveries(std::string_view endpoint_id, SystemTime now,
                                                      std::size_t limit) override;
  Result<std::optional<SystemTime>> next_due(std::string_view endpoint_id) override;
  Result<std::vector<WebhookDelivery>> deliveries(std::string_view endpoint_id,
                                                  std::int64_t before_id,
                                                  std::size_t limit) override;
  Result<std::optional<WebhookDelivery>> delivery(std::int64_t id) override;

  // A batch that recorded webhook events or made deliveries due is durable
  // (the committer's durable notice, on its thread).
  void changed() {
    if (listener_) listener_();
  }

 private:
  std::function<void()> listener_;  // set before use, then only read
};

}  // namespace postern::store::sqlite
