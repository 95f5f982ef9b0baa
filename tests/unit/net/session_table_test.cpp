// The session table of the protocol servers (src/net/session_table.h):
// connection limits and the stop hooks.
#include "net/session_table.h"

#include <gtest/gtest.h>

#include <thread>

namespace postern::net {
namespace {

TEST(SessionTableTest, LimitsInTotalAndPerAddress) {
  SessionTable table(3, 2);
  auto a1 = table.admit("192.0.2.1", false);
  auto a2 = table.admit("192.0.2.1", false);
  auto a3 = table.admit("192.0.2.1", false);
  EXPECT_EQ(a1.verdict(), ConnectVerdict::accept);
  EXPECT_EQ(a2.verdict(), ConnectVerdict::accept);
  EXPECT_EQ(a3.verdict(), ConnectVerdict::too_many_connections);
  auto b1 = table.admit("192.0.2.2", false);
  EXPECT_EQ(b1.verdict(), ConnectVerdict::accept);
  EXPECT_EQ(table.admit("192.0.2.3", false).verdict(), ConnectVerdict::too_many_connections);
  EXPECT_EQ(table.size(), 3u);
  { auto gone = std::move(a1); }
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.admit("192.0.2.1", false).verdict(), ConnectVerdict::accept);
}

TEST(SessionTableTest, TrustedClientsAreExemptFromThePerAddressLimit) {
  SessionTable table(3, 1);
  auto t1 = table.admit("127.0.0.1", true);
  auto t2 = table.admit("127.0.0.1", true);
  auto t3 = table.admit("127.0.0.1", true);
  EXPECT_EQ(t3.verdict(), ConnectVerdict::accept);
  EXPECT_EQ(table.admit("127.0.0.1", true).verdict(),
            ConnectVerdict::too_many_connections);  // the total
}

TEST(SessionTableTest, StopCallsHooksAndRefusesNewcomers) {
  SessionTable table(10, 10);
  int stops = 0;
  int closes = 0;
  auto t = table.admit("192.0.2.1", false);
  t.set_hooks({[&] { ++stops; }, [&] { ++closes; }});
  table.request_stop_all();
  EXPECT_EQ(stops, 1);
  EXPECT_EQ(table.admit("192.0.2.1", false).verdict(), ConnectVerdict::shutting_down);
  // A session that registers after the stop is stopped at once.
  SessionTable late(10, 10);
  auto l = late.admit("192.0.2.1", false);
  late.request_stop_all();
  l.set_hooks({[&] { ++stops; }, [&] { ++closes; }});
  EXPECT_EQ(stops, 2);
  table.force_close_all();
  EXPECT_EQ(closes, 1);
  EXPECT_FALSE(table.wait_empty(std::chrono::steady_clock::now() + std::chrono::milliseconds(1)));
  std::thread releaser([&] { auto done = std::move(t); });
  EXPECT_TRUE(table.wait_empty(std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  releaser.join();
}

}  // namespace
}  // namespace postern::net
