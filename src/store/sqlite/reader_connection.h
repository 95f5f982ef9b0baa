// The SQLite store's reader connections, pooled by store/connection_pool.h.
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "store/connection_pool.h"
#include "store/sqlite/database.h"

namespace postern::store::sqlite {

// A reader connection to the database at `path`: it waits for a lock
// rather than failing, and can never write.
inline Result<std::unique_ptr<Database>> open_reader_connection(const std::string& path) {
  auto db = Database::open(path, false);
  if (!db) return db.error();
  for (const char* pragma : {"PRAGMA busy_timeout = 5000", "PRAGMA query_only = 1"}) {
    if (auto r = (*db)->exec(pragma); !r) return r.error();
  }
  return db;
}

}  // namespace postern::store::sqlite
