// The read queries of provider events and the suppression list
// (store/event_store.h) on a connection borrowed from the PostgreSQL
// store's reader pool for one call. They see committed data only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/event_store.h"
#include "store/postgres/connection.h"

namespace postern::store::postgres {

class EventReader {
 public:
  explicit EventReader(Connection& c) : c_(c) {}

  Result<std::optional<Suppression>> suppression(std::string_view address);
  Result<std::vector<Suppression>> list_suppressions(std::string_view after_key, std::size_t limit);
  Result<std::vector<std::string>> suppressed_among(const std::vector<std::string>& addresses);
  Result<std::vector<StoredProviderEvent>> unmatched_events(std::int64_t before_id,
                                                            std::size_t limit);

 private:
  Connection& c_;
};

}  // namespace postern::store::postgres
