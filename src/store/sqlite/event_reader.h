// The read queries of provider events and the suppression list
// (store/event_store.h), on a reader connection of their own (a pool of
// them beside the Store's readers): reads never wait for the writer and
// see the last commit.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/event_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/reader_connection.h"
#include "store/sqlite/statement_cache.h"

namespace postern::store::sqlite {

class EventReader {
 public:
  static Result<std::unique_ptr<EventReader>> open(const std::string& path);

  Result<std::optional<Suppression>> suppression(std::string_view address);
  Result<std::vector<Suppression>> list_suppressions(std::string_view after_key, std::size_t limit);
  Result<std::vector<std::string>> suppressed_among(const std::vector<std::string>& addresses);
  Result<std::vector<StoredProviderEvent>> unmatched_events(std::int64_t before_id,
                                                            std::size_t limit);

 private:
  EventReader(std::unique_ptr<Database> db, StatementCache st);

  std::unique_ptr<Database> db_;
  StatementCache st_;
};

using EventReaderPool = ConnectionPool<EventReader>;

}  // namespace postern::store::sqlite
