// The PostgreSQL store's connection (store/postgres/connection.h): its
// statements prepared once per session, and deferred statements sent in one
// pipeline with the query that follows them.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/postgres/connection.h"
#include "support/pg_server.h"

namespace postern::store::postgres {
namespace {

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    POSTERN_REQUIRE_PG_DATABASE(server_, database_);
    auto c = Connection::open(server_->conninfo(database_));
    ASSERT_TRUE(c);
    c_ = std::move(*c);
    ASSERT_TRUE(c_->query("CREATE TABLE t (k integer PRIMARY KEY, v text NOT NULL)"));
  }

  // Statements prepared on the session `c` is connected as.
  std::int64_t prepared_count(Connection& c) {
    auto rows = c.query("SELECT count(*) FROM pg_prepared_statements");
    EXPECT_TRUE(rows) << c.last_error();
    return rows ? rows->integer(0, 0) : -1;
  }

  test::PgServer* server_ = nullptr;
  std::string database_;
  std::unique_ptr<Connection> c_;
};

TEST_F(PgConnectionTest, AStatementIsPreparedOnceAndRunByName) {
  const auto before = prepared_count(*c_);
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(c_->query("INSERT INTO t(k, v) VALUES ($1, $2)", Params().integer(k).text("x")))
        << c_->last_error();
  }
  // The INSERT, and the count's own SELECT: one each however often they ran.
  EXPECT_EQ(prepared_count(*c_), before + 1);
  auto rows = c_->query(
      "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO t%'");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->integer(0, 0), 1);
}

TEST_F(PgConnectionTest, ANewSessionPreparesItsStatementsAgain) {
  const char* insert = "INSERT INTO t(k, v) VALUES ($1, $2)";
  ASSERT_TRUE(c_->query(insert, Params().integer(1).text("a")));
  auto other = Connection::open(server_->conninfo(database_));
  ASSERT_TRUE(other);
  // The server ends the session, as a restart or a failover would.
  ASSERT_TRUE((*other)->query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND "
      "pid <> pg_backend_pid()",
      Params().text(database_)));
  EXPECT_FALSE(c_->query(insert, Params().integer(2).text("b")));
  bool again = false;
  for (int i = 0; i < 50 && !again; ++i) {
    again = static_cast<bool>(c_->ensure());
    if (!again) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(again);
  // Run by the name it had on the old session, it would be unknown here.
  ASSERT_TRUE(c_->query(insert, Params().integer(2).text("b"))) << c_->last_error();
  c_->defer(insert, Params().integer(3).text("c"));
  ASSERT_TRUE(c_->flush()) << c_->last_error();
  auto rows = c_->query("SELECT string_agg(v, '' ORDER BY k) FROM t");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->text(0, 0), "abc");
}

TEST_F(PgConnectionTest, AQueryAnswersAfterTheStatementsDeferredBeforeIt) {
  ASSERT_TRUE(c_->query("BEGIN"));
  for (int k = 0; k < 600; ++k)  // more than one pipeline chunk
    c_->defer("INSERT INTO t(k, v) VALUES ($1, $2)", Params().integer(k).text("v"));
  auto rows = c_->query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows) << c_->last_error();
  EXPECT_EQ(rows->integer(0, 0), 600);
  ASSERT_TRUE(c_->query("COMMIT"));
}

TEST_F(PgConnectionTest, EachOfAGroupOfQueriesGetsItsOwnRows) {
  ASSERT_TRUE(c_->query("INSERT INTO t(k, v) VALUES (1, 'one'), (2, 'two')"));
  std::vector<Statement> group;
  for (int k : {2, 3, 1})
    group.push_back({"UPDATE t SET v = v || '!' WHERE k = $1 RETURNING v", Params().integer(k)});
  auto rows = c_->query_each(std::move(group));
  ASSERT_TRUE(rows) << c_->last_error();
  ASSERT_EQ(rows->size(), 3u);
  ASSERT_EQ((*rows)[0].size(), 1);
  EXPECT_EQ((*rows)[0].text(0, 0), "two!");
  EXPECT_EQ((*rows)[1].size(), 0);
  ASSERT_EQ((*rows)[2].size(), 1);
  EXPECT_EQ((*rows)[2].text(0, 0), "one!");
}

TEST_F(PgConnectionTest, AnEmptyGroupLeavesTheDeferredStatementsDeferred) {
  c_->defer("INSERT INTO t(k, v) VALUES (1, 'one')", {});
  auto rows = c_->query_each({});
  ASSERT_TRUE(rows);
  EXPECT_TRUE(rows->empty());
  // Still queued (outside a transaction, a statement sent is committed).
  auto other = Connection::open(server_->conninfo(database_));
  ASSERT_TRUE(other);
  auto count = [&] { return (*other)->query("SELECT count(*) FROM t")->integer(0, 0); };
  EXPECT_EQ(count(), 0);
  ASSERT_TRUE(c_->flush());
  EXPECT_EQ(count(), 1);
}

TEST_F(PgConnectionTest, AFailedStatementOfAGroupFailsTheGroup) {
  ASSERT_TRUE(c_->query("INSERT INTO t(k, v) VALUES (1, 'one')"));
  ASSERT_TRUE(c_->query("BEGIN"));
  std::vector<Statement> group;
  group.push_back({"INSERT INTO t(k, v) VALUES ($1, 'x') RETURNING k", Params().integer(5)});
  group.push_back({"INSERT INTO t(k, v) VALUES ($1, 'x') RETURNING k", Params().integer(1)});
  auto rows = c_->query_each(std::move(group));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error(), Errc::conflict);
  ASSERT_TRUE(c_->query("ROLLBACK"));
  auto count = c_->query("SELECT count(*) FROM t");
  ASSERT_TRUE(count);
  EXPECT_EQ(count->integer(0, 0), 1);
}

}  // namespace
}  // namespace postern::store::postgres
