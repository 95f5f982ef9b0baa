// A SQLite store in a test's temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace postern::test {

// Null (with a test failure recorded) when the store cannot be opened.
inline std::unique_ptr<store::sqlite::SqliteStore> open_sqlite_store(const TempDir& dir,
                                                                     const Clock& clock,
                                                                     MetricsRegistry& metrics) {
  auto s = store::sqlite::SqliteStore::open({dir.file("postern.db")}, clock, metrics);
  EXPECT_TRUE(s) << s.error().message();
  return s ? std::move(*s) : nullptr;
}

}  // namespace postern::test
