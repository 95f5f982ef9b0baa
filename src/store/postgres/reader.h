// The reads of the PostgreSQL store, on a connection borrowed from the
// pool for one call. They see committed data only.
#pragma once

#include "store/postgres/connection.h"
#include "store/store.h"

namespace postern::store::postgres {

class Reader {
 public:
  explicit Reader(Connection& c) : c_(c) {}

  Result<MessageDetail> get_message(MessageId id);
  Result<std::vector<MessageSummary>> list_messages(const ListFilter& filter);
  Result<std::pair<ContentFormat, std::string>> get_content(MessageId id);
  Result<std::vector<std::int64_t>> count_by_status();
  Result<std::vector<StoredApiKey>> list_api_keys();
  Result<std::optional<StoredApiKey>> api_key_by_hash(const std::string& secret_hash);
  Result<bool> has_api_keys();
  Result<std::vector<SmtpUser>> list_smtp_users();

 private:
  Connection& c_;
};

}  // namespace postern::store::postgres
