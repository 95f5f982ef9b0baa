// The reads of webhooks out (store/webhook_store.h) on the PostgreSQL
// store, on a connection borrowed from its reader pool for one call.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "store/postgres/connection.h"
#include "store/webhook_store.h"

namespace postern::store::postgres {

class WebhookReader {
 public:
  explicit WebhookReader(Connection& c) : c_(c) {}

  Result<std::vector<WebhookEndpoint>> list_endpoints();
  Result<std::optional<WebhookEndpoint>> endpoint(std::string_view id);
  Result<std::vector<WebhookDelivery>> due_deliveries(std::string_view endpoint_id, SystemTime now,
                                                      std::size_t limit);
  Result<std::optional<SystemTime>> next_due(std::string_view endpoint_id);
  Result<std::vector<WebhookDelivery>> deliveries(std::string_view endpoint_id,
                                                  std::int64_t before_id, std::size_t limit);
  Result<std::optional<WebhookDelivery>> delivery(std::int64_t id);

 private:
  Connection& c_;
};

}  // namespace postern::store::postgres
