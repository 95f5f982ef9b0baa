// The PostgreSQL store's cluster link (store/postgres/pg_cluster_link.h):
// several PostgresStore objects on one database are several nodes. A
// node's name is its own, mail queued on one node wakes the others, and
// one node at a time leads the once-per-cluster jobs.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/postgres/connection.h"
#include "store/postgres/postgres_store.h"
#include "store_fixture.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using test::await_completion;

// Long enough for a loaded CI machine; the waits end as soon as the event
// happens.
constexpr auto kBound = 15s;

// Counts the wake-ups a node's link gives, for a test to wait on.
class Wakes {
 public:
  std::function<void()> callback() {
    return [this] {
      std::lock_guard lock(mu_);
      ++n_;
      cv_.notify_all();
    };
  }
  int count() {
    std::lock_guard lock(mu_);
    return n_;
  }
  // True once more than `seen` wake-ups came, within kBound.
  bool wait_past(int seen) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kBound, [&] { return n_ > seen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_ = 0;
};

// Waits, within kBound, until `holds` (a state another thread changes and
// tells no one of: polled).
template <class F>
bool eventually(F holds) {
  auto until = std::chrono::steady_clock::now() + kBound;
  while (!holds()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class PgClusterTest : public PgNodesTest {
 protected:
  // Nodes "a" and "b" joined in that order, so "a" leads; `b_work` takes
  // b's wake-ups. Mail is queued through a (store_).
  void join_two(std::function<void()> b_work) {
    auto a = open_node();
    b_ = open_node();
    ASSERT_TRUE(a && b_);
    ASSERT_TRUE(a->cluster().join("a", [] {}));
    ASSERT_TRUE(b_->cluster().join("b", std::move(b_work)));
    store_ = std::move(a);
  }

  // Ends the sessions of the nodes' links, as a lost connection would.
  void cut_links() {
    auto c = postgres::Connection::open(pg_->conninfo(database_));
    ASSERT_TRUE(c);
    ASSERT_TRUE(
        (*c)->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = 'postern-link' AND datname = current_database()"));
  }

  std::unique_ptr<Store> b_;
};

TEST_F(PgClusterTest, ANodeNameIsHeldByOneRunningNodeAtATime) {
  auto a = open_node(), b = open_node();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->cluster().join("mx-1", [] {}));
  EXPECT_EQ(b->cluster().join("mx-1", [] {}).error(), Errc::conflict);
  EXPECT_TRUE(b->cluster().join("mx-2", [] {}));
  a->close();  // the name is free once its node is gone
  auto c = open_node();
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->cluster().join("mx-1", [] {}));
}

TEST_F(PgClusterTest, MailQueuedOnOneNodeWakesTheOthers) {
  Wakes woken;
  join_two(woken.callback());
  ASSERT_TRUE(enqueue(message("x")));
  EXPECT_TRUE(woken.wait_past(0));
  // A retry queues mail too.
  auto id = enqueue(message("y"))->id;
  ASSERT_TRUE(await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); }));
  int seen = woken.count();
  ASSERT_TRUE(await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); }));
  EXPECT_TRUE(woken.wait_past(seen));
}

// A lost session is made again: the node takes its name and LISTENs again,
// wakes its dispatcher once for what it missed, then hears new mail.
TEST_F(PgClusterTest, ANodeHearsOthersAgainAfterItsSessionIsCut) {
  Wakes woken;
  join_two(woken.callback());
  cut_links();
  ASSERT_TRUE(woken.wait_past(0));  // reconnected, and told to look
  int seen = woken.count();
  ASSERT_TRUE(enqueue(message("x")));
  EXPECT_TRUE(woken.wait_past(seen));
  // Its name is still its own.
  auto c = open_node();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->cluster().join("b", [] {}).error(), Errc::conflict);
}

TEST_F(PgClusterTest, OneNodeLeadsTheJobsAndAnotherTakesOverWhenItCloses) {
  auto unjoined = open_node();
  ASSERT_TRUE(unjoined);
  EXPECT_FALSE(unjoined->cluster().leads());  // not before it joined
  join_two([] {});
  EXPECT_TRUE(store_->cluster().leads());
  EXPECT_FALSE(b_->cluster().leads());
  store_->close();
  EXPECT_FALSE(store_->cluster().leads());
  EXPECT_TRUE(eventually([&] { return b_->cluster().leads(); }));
}

// A leader cut from the database stops leading; another node takes over
// rather than both sweeping for good.
TEST_F(PgClusterTest, ALeaderCutFromTheDatabaseHandsOver) {
  join_two([] {});
  ASSERT_TRUE(store_->cluster().leads());
  cut_links();
  // Whichever leads now (the first to connect again), one does.
  EXPECT_TRUE(eventually([&] { return store_->cluster().leads() != b_->cluster().leads(); }));
}

}  // namespace
}  // namespace postern::store
