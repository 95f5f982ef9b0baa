// The catch-all account when several nodes sharing one PostgreSQL store
// start together: each looks for it, finds none and makes it; the ones that
// lose that race must take the winner's account, not refuse to start.
#include "inbox/catching.h"

#include <gtest/gtest.h>

#include <barrier>
#include <thread>

#include "core/clock.h"
#include "core/metrics.h"
#include "store/postgres/postgres_store.h"
#include "support/pg_server.h"

namespace postern::inbox {
namespace {

constexpr int kNodes = 4;
constexpr int kRounds = 3;

TEST(CatchAllTest, NodesStartingTogetherShareOneAccount) {
  test::PgServer* pg = nullptr;
  POSTERN_REQUIRE_PG(pg);
  SystemClock clock;
  MetricsRegistry metrics;
  InboxOptions options;
  options.domain = "inbox.example.test";
  // Each round on a database of its own, so that every round starts with
  // no catch-all account and the nodes race to make it.
  for (int round = 0; round < kRounds; ++round) {
    std::string why;
    auto database = pg->create_database(why);
    ASSERT_FALSE(database.empty()) << why;
    std::vector<std::unique_ptr<store::postgres::PostgresStore>> nodes;
    for (int i = 0; i < kNodes; ++i) {
      auto s = store::postgres::PostgresStore::open({pg->conninfo(database)}, clock, metrics);
      ASSERT_TRUE(s) << s.error().message();
      nodes.push_back(std::move(*s));
    }
    std::barrier start(kNodes);
    std::vector<Result<CatchAll>> results(kNodes, error_code(Errc::internal));
    std::vector<std::jthread> threads;
    for (int i = 0; i < kNodes; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = ensure_catch_all(nodes[i]->inbox(), options);
      });
    }
    threads.clear();
    int made_here = 0;
    for (int i = 0; i < kNodes; ++i) {
      ASSERT_TRUE(results[i]) << "node " << i << ": " << results[i].error().message();
      EXPECT_EQ(results[i]->account.id, results[0]->account.id);
      EXPECT_TRUE(results[i]->account.catch_all);
      if (results[i]->new_password) ++made_here;
    }
    // The generated password is shown by the one node that made it.
    EXPECT_EQ(made_here, 1);
  }
}

}  // namespace
}  // namespace postern::inbox
