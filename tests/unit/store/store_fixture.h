// Stores for the tests of the store and of what runs on top of it, on a
// fake clock: StoreFixture opens SQLite in a temporary directory;
// AnyStoreFixture opens the backend its parameter names (SQLite, or
// PostgreSQL on the test binary's private server, a database per test), so
// the same test bodies run against both (store_contract_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/fake_clock.h"
#include "support/pg_server.h"
#include "support/temp_dir.h"

namespace postern::store {

// The stores, and calls on them that tests of either backend make.
class StoreTestSupport {
 protected:
  NewMessage message(const std::string& subject, const std::string& key = "",
                     const std::string& hash = "");
  Result<EnqueueResult> enqueue(NewMessage m);
  std::vector<LeasedMessage> lease(LeaseLimits limits, const std::string& owner = "w1");
  Result<void> record(const AttemptRecord& rec, const std::string& owner = "w1");
  std::vector<std::int64_t> counts() { return store_->count_by_status().value(); }
  // Every page of `f`, in order: the ids, newest first.
  std::vector<MessageId> all_pages(ListFilter f);

  test::TempDir dir_;
  test::FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<Store> store_;
};

class StoreFixture : public ::testing::Test, public StoreTestSupport {
 protected:
  void SetUp() override { open(); }

  // Opens the store, closing the one open before (a restart).
  void open(sqlite::SqliteOptions options = {}) {
    store_.reset();
    options.path = dir_.file("postern.db");
    auto s = sqlite::SqliteStore::open(options, clock_, metrics_);
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::move(*s);
  }
};

enum class Backend { sqlite, postgres };

inline void PrintTo(Backend b, std::ostream* out) {
  *out << (b == Backend::sqlite ? "sqlite" : "postgres");
}

// A store of the backend a test names: SQLite in the temporary directory,
// or PostgreSQL on the test binary's private server, in a database of the
// test's own.
class BackendStoreSupport : public StoreTestSupport {
 protected:
  // From SetUp: skips (fails, in CI) a PostgreSQL test with no server.
  void set_up(Backend backend) {
    backend_ = backend;
    if (backend == Backend::postgres) {
      POSTERN_REQUIRE_PG_DATABASE(pg_, database_);
    }
    open();
  }

  // Opens the store, closing the one open before (a restart).
  void open() {
    store_.reset();
    if (backend_ == Backend::sqlite) {
      auto s = sqlite::SqliteStore::open({dir_.file("postern.db")}, clock_, metrics_);
      ASSERT_TRUE(s) << s.error().message();
      store_ = std::move(*s);
      return;
    }
    auto s = postgres::PostgresStore::open({pg_->conninfo(database_)}, clock_, metrics_);
    ASSERT_TRUE(s) << s.error().message();
    store_ = std::move(*s);
  }

  // The rows of `table` in the store's database, read on a connection of
  // its own (for what no store call shows: rows retention must delete).
  std::int64_t count_rows(const std::string& table);

  Backend backend_ = Backend::sqlite;
  test::PgServer* pg_ = nullptr;
  std::string database_;
};

class AnyStoreFixture : public ::testing::TestWithParam<Backend>, public BackendStoreSupport {
 protected:
  void SetUp() override { set_up(GetParam()); }
};

// Nodes on one PostgreSQL database (the test's own, on the test binary's
// private server): each open_node() is another PostgresStore on it.
class PgNodesTest : public ::testing::Test, public StoreTestSupport {
 protected:
  void SetUp() override { POSTERN_REQUIRE_PG_DATABASE(pg_, database_); }

  std::unique_ptr<Store> open_node() {
    auto s = postgres::PostgresStore::open({pg_->conninfo(database_)}, clock_, metrics_);
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(*s) : nullptr;
  }

  test::PgServer* pg_ = nullptr;
  std::string database_;
};

}  // namespace postern::store
