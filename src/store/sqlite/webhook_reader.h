// The read queries of webhooks out (store/webhook_store.h), on reader
// connections of their own (a pool beside the Store's readers): the
// sender's reads never wait for the writer and see the last commit.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite/database.h"
#include "store/sqlite/reader_connection.h"
#include "store/sqlite/statement_cache.h"
#include "store/webhook_store.h"

namespace postern::store::sqlite {

class WebhookReader {
 public:
  static Result<std::unique_ptr<WebhookReader>> open(const std::string& path);

  Result<std::vector<WebhookEndpoint>> list_endpoints();
  Result<std::optional<WebhookEndpoint>> endpoint(std::string_view id);
  Result<std::vector<WebhookDelivery>> due_deliveries(std::string_view endpoint_id, SystemTime now,
                                                      std::size_t limit);
  Result<std::optional<SystemTime>> next_due(std::string_view endpoint_id);
  Result<std::vector<WebhookDelivery>> deliveries(std::string_view endpoint_id,
                                                  std::int64_t before_id, std::size_t limit);
  Result<std::optional<WebhookDelivery>> delivery(std::int64_t id);

 private:
  WebhookReader(std::unique_ptr<Database> db, StatementCache st);

  // Runs `s` (bound) and reads each row as a delivery.
  Result<std::vector<WebhookDelivery>> read_deliveries(Statement& s);

  std::unique_ptr<Database> db_;
  StatementCache st_;
};

using WebhookReaderPool = ConnectionPool<WebhookReader>;

}  // namespace postern::store::sqlite
