// Two webhook senders on one store, as two nodes sharing a database run
// them: on SQLite (one store, both senders on it) and on PostgreSQL (a
// store per node on one database). Both fan out and post at once, kept
// busy by wakes; every delivery must be posted exactly once.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <thread>

#include "events/webhook_sender.h"
#include "net/io_runtime.h"
#include "store/message_calls.h"
#include "store/postgres/postgres_store.h"
#include "support/await_completion.h"
#include "support/fake_webhook_poster.h"
#include "support/pg_server.h"
#include "support/sqlite_store.h"

namespace postern::events {
namespace {

using namespace std::chrono_literals;

enum class Backend { sqlite, postgres };

// One node: its store (on SQLite the nodes share the first one's), its
// sender's runtime and its sender.
struct Node {
  std::unique_ptr<store::Store> own_store;
  store::Store* store = nullptr;
  store::WebhookStore* webhooks = nullptr;
  std::unique_ptr<net::IoRuntime> io;
  std::unique_ptr<WebhookSender> sender;
};

class WebhookSenderNodesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::postgres) {
      POSTERN_REQUIRE_PG_DATABASE(pg_, database_);
    }
    ASSERT_NO_FATAL_FAILURE(add_node("node-a"));
  }

  void TearDown() override {
    for (auto& n : nodes_)
      if (n.sender) n.sender->stop();
    poster_.reset();  // joins its threads: no answer comes after
    // Its writes still queued answer into the senders' contexts: before
    // those go.
    for (auto& n : nodes_)
      if (n.own_store) n.own_store->close();
    for (auto& n : nodes_)
      if (n.io) n.io->stop();
    while (!nodes_.empty()) nodes_.pop_back();  // on SQLite the first holds the store
  }

  void add_node(const std::string& name) {
    Node n;
    if (GetParam() == Backend::sqlite && !nodes_.empty()) {
      n.store = nodes_.front().store;
      n.webhooks = nodes_.front().webhooks;
    } else if (GetParam() == Backend::sqlite) {
      auto s = test::open_sqlite_store(dir_, clock_, metrics_);
      ASSERT_TRUE(s);
      n.webhooks = &s->webhooks();
      n.own_store = std::move(s);
    } else {
      auto s = store::postgres::PostgresStore::open({pg_->conninfo(database_)}, clock_, metrics_);
      ASSERT_TRUE(s) << s.error().message();
      n.webhooks = &(*s)->webhooks();
      n.own_store = std::move(*s);
    }
    if (n.own_store) n.store = n.own_store.get();
    n.io = std::make_unique<net::IoRuntime>(1);
    n.io->start();
    WebhookSenderOptions options;
    options.max_in_flight = 4;
    n.sender = std::make_unique<WebhookSender>(*n.io, *n.webhooks, name, poster_->poster(), clock_,
                                               metrics_, options);
    nodes_.push_back(std::move(n));
  }

  void create_endpoint(const std::string& id, std::vector<std::string> events) {
    store::WebhookEndpoint ep;
    ep.id = id;
    ep.url = "http://127.0.0.1:9/" + id;
    ep.events = std::move(events);
    ep.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    ep.created_at = clock_.now();
    auto r = test::await_completion<void>(
        [&](auto done) { nodes_.front().webhooks->create_endpoint(ep, done); });
    ASSERT_TRUE(r) << r.error().message();
  }

  // The endpoint's deliveries that are not delivered yet.
  std::size_t undelivered(const std::string& id, std::size_t expected) {
    auto all = nodes_.front().webhooks->deliveries(id, 0, expected + 10);
    EXPECT_TRUE(all) << all.error().message();
    if (!all) return expected;
    std::size_t n = expected > all->size() ? expected - all->size() : 0;
    for (const auto& d : *all) n += d.state == store::WebhookDeliveryState::delivered ? 0 : 1;
    return n;
  }

  test::TempDir dir_;
  SystemClock clock_;
  MetricsRegistry metrics_;
  test::PgServer* pg_ = nullptr;
  std::string database_;
  std::unique_ptr<test::FakePoster> poster_ = std::make_unique<test::FakePoster>();
  std::vector<Node> nodes_;
};

TEST_P(WebhookSenderNodesTest, EachDeliveryIsPostedOnceWhateverNodePostsIt) {
  constexpr int kMessages = 60;
  poster_->delay = 3ms;
  ASSERT_NO_FATAL_FAILURE(create_endpoint("ep_all", {}));
  ASSERT_NO_FATAL_FAILURE(create_endpoint("ep_accepted", {"message.accepted"}));
  // After the endpoints: its store reads them when it opens (it would
  // otherwise learn of them by a notification, a moment later).
  ASSERT_NO_FATAL_FAILURE(add_node("node-b"));
  for (auto& n : nodes_) n.sender->start();
  // Each node takes mail in (on SQLite both through the one store).
  for (int i = 0; i < kMessages; ++i)
    store::test_calls::enqueue(*nodes_[i % 2].store, {"m" + std::to_string(i) + "@x.org"});

  // Both senders look again and again, so that they race for the same
  // deliveries (on SQLite only the last one started hears the store).
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while ((undelivered("ep_all", kMessages) > 0 || undelivered("ep_accepted", kMessages) > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    for (auto& n : nodes_) n.sender->wake();
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(undelivered("ep_all", kMessages), 0u);
  EXPECT_EQ(undelivered("ep_accepted", kMessages), 0u);

  // Every delivery answered 200 at its first post: a second post of one
  // (the same webhook-id to the same endpoint) would be a duplicate.
  std::lock_guard lock(poster_->mu);
  std::map<std::string, int> posts;
  for (const auto& r : poster_->requests)
    ++posts[r.url + " " + test::FakePoster::header(r, "webhook-id")];
  EXPECT_EQ(poster_->requests.size(), 2u * kMessages);
  for (const auto& [key, n] : posts) EXPECT_EQ(n, 1) << key;
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookSenderNodesTest,
                         ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const auto& info) {
                           return info.param == Backend::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace postern::events
