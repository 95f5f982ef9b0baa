// The PostgreSQL store's schema migrations, on a private server
// (support/pg_server.h).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/status.h"
#include "store/postgres/migrations.h"
#include "support/pg_server.h"

namespace postern::store::postgres {
namespace {

class PgMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override { POSTERN_REQUIRE_PG_DATABASE(server_, database_); }

  std::unique_ptr<Connection> connect() {
    auto c = Connection::open(server_->conninfo(database_));
    EXPECT_TRUE(c);
    return c ? std::move(*c) : nullptr;
  }

  test::PgServer* server_ = nullptr;
  std::string database_;
};

TEST_F(PgMigrationsTest, TheServerRunsDurablyOnLoopback) {
  auto c = connect();
  ASSERT_TRUE(c);
  auto rows = c->query(
      "SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
      "host(inet_server_addr())");
  ASSERT_TRUE(rows) << c->last_error();
  EXPECT_EQ(rows->text(0, 0), "on");
  EXPECT_EQ(rows->text(0, 1), "on");
  EXPECT_EQ(rows->text(0, 2), "127.0.0.1");
}

TEST_F(PgMigrationsTest, NodesStartingTogetherMigrateOnce) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Connection>> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(connect());
    ASSERT_TRUE(nodes.back());
  }
  std::vector<Result<void>> results(kNodes, error_code(Errc::internal));
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i)
    threads.emplace_back([&, i] { results[i] = migrate_postgres(*nodes[i]); });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kNodes; ++i) EXPECT_TRUE(results[i]) << nodes[i]->last_error();
  auto rows = nodes[0]->query("SELECT count(*), max(version) FROM schema_migrations");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->integer(0, 0), postgres_migration_count());
  EXPECT_EQ(rows->integer(0, 1), postgres_schema_version());
  auto counts = nodes[0]->query("SELECT count(*) FROM status_counts");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->integer(0, 0), kMessageStatusCount);
}

// The term functions are inlined into the statements that use them (a
// STRICT one would run its own statement, planned for each message): the
// enqueue's plan names no function of Postern's.
TEST_F(PgMigrationsTest, TheTermFunctionsAreInlinedIntoTheirCallers) {
  auto c = connect();
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate_postgres(*c));
  auto plan = c->query(
      "EXPLAIN (VERBOSE, COSTS OFF) SELECT term FROM "
      "postern_message_terms(E'0a@Example.COM\\n0b@x', E'tag') AS term");
  ASSERT_TRUE(plan) << c->last_error();
  std::string text;
  for (int i = 0; i < plan->size(); ++i) text += plan->text(i, 0) + "\n";
  EXPECT_EQ(text.find("postern_"), std::string::npos) << text;
  auto terms = c->query(
      "SELECT string_agg(term, ' ' ORDER BY term) FROM "
      "postern_message_terms(E'0a@Example.COM\\n0b@x', E'tag') AS term");
  ASSERT_TRUE(terms);
  EXPECT_EQ(terms->text(0, 0), "r:a@example.com r:b@x t:tag");
  auto none = c->query("SELECT count(*) FROM postern_message_terms(NULL, NULL)");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->integer(0, 0), 0);
}

// So are the time conversions, and a time reads as the same Unix
// milliseconds whatever the session's time zone.
TEST_F(PgMigrationsTest, TheTimeFunctionsAreInlinedAndKeepTheirValues) {
  auto c = connect();
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate_postgres(*c));
  auto plan = c->query(
      "EXPLAIN (VERBOSE, COSTS OFF) SELECT postern_ms(postern_ts(x)) FROM generate_series(1, 2) x");
  ASSERT_TRUE(plan) << c->last_error();
  std::string text;
  for (int i = 0; i < plan->size(); ++i) text += plan->text(i, 0) + "\n";
  EXPECT_EQ(text.find("postern_"), std::string::npos) << text;
  ASSERT_TRUE(c->query("SET timezone = 'America/New_York'"));
  auto ms = c->query(
      "SELECT postern_ms(postern_ts(1772955000123)), postern_ms(postern_ts(-1)), "
      "postern_ms('2026-03-08 07:30:00.123+00')");
  ASSERT_TRUE(ms) << c->last_error();
  EXPECT_EQ(ms->integer(0, 0), 1772955000123);
  EXPECT_EQ(ms->integer(0, 1), -1);
  EXPECT_EQ(ms->integer(0, 2), 1772955000123);
}

TEST_F(PgMigrationsTest, ADatabaseOfANewerVersionIsRefused) {
  auto c = connect();
  ASSERT_TRUE(c);
  ASSERT_TRUE(migrate_postgres(*c));
  ASSERT_TRUE(c->query("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, now())",
                       Params().integer(postgres_schema_version() + 1)));
  auto r = migrate_postgres(*c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::conflict);
}

TEST_F(PgMigrationsTest, AConnectionComesBackAfterTheServerRestarts) {
  auto c = connect();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->query("SELECT 1"));
  std::string why;
  ASSERT_TRUE(server_->restart(why)) << why;
  auto lost = c->query("SELECT 1");
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error(), Errc::storage_unavailable);
  ASSERT_TRUE(c->ensure()) << c->last_error();
  EXPECT_TRUE(c->query("SELECT 1"));
}

}  // namespace
}  // namespace postern::store::postgres
