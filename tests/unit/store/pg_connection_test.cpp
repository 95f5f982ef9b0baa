// The PostgreSQL store's connection (store/postgres/connection.h): its
// statements prepared once per session, deferred statements sent in one
// pipeline with the query that follows them, and rows deferred for one
// statement written by one execution.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
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

using Type = RowStatement::Type;

// Each execution draws one number from `executions`, which every row it
// writes keeps; `written` orders the rows as the server wrote them.
const RowStatement kRows{
    "WITH e AS (SELECT nextval('executions') AS n) "
    "INSERT INTO r(written, execution, k, v, b) SELECT nextval('written'), (SELECT n FROM e), "
    "k, v, b FROM unnest($1::int8[], $2::text[], $3::bytea[]) AS x(k, v, b)",
    {Type::int8, Type::text, Type::bytea}};

// Rows deferred for a RowStatement (row_arrays.h): consecutive rows go as
// one execution, in their order among the other deferred statements, and
// every value arrives as it was given.
class PgRowStatementTest : public PgConnectionTest {
 protected:
  void SetUp() override {
    PgConnectionTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(
        c_->script("CREATE SEQUENCE executions; CREATE SEQUENCE written; "
                   "CREATE TABLE r (written bigint, execution bigint, k bigint, v text, b bytea)"));
  }

  void defer(std::int64_t k, std::string v = "v", std::string b = "b") {
    c_->defer_row(kRows, Params().integer(k).text(v).bytes(b));
  }

  // "k:execution" of each row, in the order written, executions counted from 1.
  std::string written() {
    auto rows = c_->query(
        "SELECT string_agg(k || ':' || dense_rank, ' ' ORDER BY written) FROM "
        "(SELECT k, written, dense_rank() OVER (ORDER BY execution) FROM r) x");
    EXPECT_TRUE(rows) << c_->last_error();
    return rows ? rows->text(0, 0) : "";
  }
};

TEST_F(PgRowStatementTest, ConsecutiveRowsGoAsOneExecutionInTheirPlace) {
  defer(1);
  defer(2);
  defer(3);
  c_->defer(
      "INSERT INTO r(written, execution, k) VALUES (nextval('written'), "
      "nextval('executions'), 100)",
      {});
  defer(4);
  defer(5);
  ASSERT_TRUE(c_->flush()) << c_->last_error();
  EXPECT_EQ(written(), "1:1 2:1 3:1 100:2 4:3 5:3");
}

TEST_F(PgRowStatementTest, AQueryAfterRowsSeesThem) {
  defer(7);
  defer(8);
  auto rows = c_->query("SELECT count(*) FROM r");
  ASSERT_TRUE(rows) << c_->last_error();
  EXPECT_EQ(rows->integer(0, 0), 2);
}

TEST_F(PgRowStatementTest, EveryValueArrivesAsGiven) {
  const std::string text = "quote\" back\\slash {brace}, comma\nline NULL \xc3\xa9";
  const std::string bytes("\0\x01\xff{\"\\,\n", 8);
  c_->defer_row(kRows, Params().integer(-9223372036854775807 - 1).text(text).bytes(bytes));
  c_->defer_row(kRows, Params().integer(9223372036854775807).text("").bytes(""));
  c_->defer_row(kRows, Params().null().null().null());
  ASSERT_TRUE(c_->flush()) << c_->last_error();
  auto rows =
      c_->query_raw("SELECT k, v, b, k IS NULL, v IS NULL, b IS NULL FROM r ORDER BY written");
  ASSERT_TRUE(rows) << c_->last_error();
  ASSERT_EQ(rows->size(), 3);
  EXPECT_EQ(rows->integer(0, 0), -9223372036854775807 - 1);
  EXPECT_EQ(rows->text(0, 1), text);
  EXPECT_EQ(rows->bytes(0, 2), bytes);
  EXPECT_EQ(rows->integer(1, 0), 9223372036854775807);
  EXPECT_EQ(rows->text(1, 1), "");
  EXPECT_EQ(rows->bytes(1, 2), "");
  EXPECT_FALSE(rows->null(1, 2));
  EXPECT_TRUE(rows->null(2, 0));
  EXPECT_TRUE(rows->null(2, 1));
  EXPECT_TRUE(rows->null(2, 2));
}

// Big values are split over several executions, each far below the
// server's limit of a parameter.
TEST_F(PgRowStatementTest, RowsBeyondTheByteBoundGoAsAnotherExecution) {
  const std::string six_mib(6 << 20, 'x');
  defer(1, "a", six_mib);
  defer(2, "b", six_mib);
  defer(3, "c", six_mib);
  ASSERT_TRUE(c_->flush()) << c_->last_error();
  EXPECT_EQ(written(), "1:1 2:1 3:2");
  auto sizes = c_->query("SELECT sum(length(b)) FROM r");
  ASSERT_TRUE(sizes);
  EXPECT_EQ(sizes->integer(0, 0), 3 * (6 << 20));
}

TEST_F(PgRowStatementTest, AFailedRowFailsItsExecutionAndTheFlush) {
  ASSERT_TRUE(c_->query("ALTER TABLE r ADD CHECK (k > 0)"));
  ASSERT_TRUE(c_->query("BEGIN"));
  defer(1);
  defer(-1);
  EXPECT_FALSE(c_->flush());
  ASSERT_TRUE(c_->query("ROLLBACK"));
  EXPECT_EQ(written(), "");  // neither row
}

}  // namespace
}  // namespace postern::store::postgres
