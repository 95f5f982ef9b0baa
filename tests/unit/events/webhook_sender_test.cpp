// The webhook sender against a WebhookStore in memory and a fake HTTP
// poster that answers from another thread as the HTTP client does: order
// per message, the signature, back-off, giving up, disabling.
#include "events/webhook_sender.h"

#include <gtest/gtest.h>

#include "events/webhook_signature.h"
#include "net/io_runtime.h"
#include "support/fake_webhook_poster.h"
#include "support/fake_webhook_store.h"

namespace postern::events {
namespace {

using namespace std::chrono_literals;
using test::FakePoster;
using test::FakeWebhookStore;

constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class WebhookSenderTest : public ::testing::Test {
 protected:
  void SetUp() override { io.start(); }
  void TearDown() override {
    if (sender) sender->stop();
    io.stop();
  }

  void start(WebhookSenderOptions options) {
    sender.emplace(io, store, "node-a", poster.poster(), clock, metrics, options);
    sender->start();
  }

  std::string add_endpoint(std::vector<std::string> events = {}) {
    store::WebhookEndpoint ep;
    ep.id = make_webhook_endpoint_id();
    ep.url = "http://127.0.0.1:9/" + ep.id;
    ep.events = std::move(events);
    ep.secret = std::string(kSecret);
    ep.created_at = clock.now();
    store.create_endpoint(ep, [](Result<void>) {});
    return ep.id;
  }

  void event(std::uint64_t message, std::string type) {
    store::WebhookEvent e;
    e.type = std::move(type);
    e.message = MessageId(message);
    e.at = clock.now();
    store.record_event(std::move(e));
  }

  static bool all_in(FakeWebhookStore& s, store::WebhookDeliveryState state, std::size_t n) {
    std::size_t k = 0;
    for (const auto& [_, d] : s.queue) k += d.state == state ? 1 : 0;
    return s.queue.size() == n && k == n;
  }

  net::IoRuntime io{1};
  SystemClock clock;
  MetricsRegistry metrics;
  FakeWebhookStore store;
  FakePoster poster;
  std::optional<WebhookSender> sender;
};

WebhookSenderOptions fast() {
  WebhookSenderOptions o;
  o.backoff_scale = 0.0002;  // 1 ms, 60 ms, 360 ms, ...
  return o;
}

TEST_F(WebhookSenderTest, SendsEachMessagesEventsInOrderSignedOneAtATime) {
  auto ep = add_endpoint();
  add_endpoint({"message.sent"});
  start(fast());
  const std::vector<std::string> types = {"message.accepted", "message.sent",
                                          "recipient.delivered"};
  for (const auto& t : types)
    for (std::uint64_t m = 1; m <= 5; ++m) event(m << 30, t);
  // 15 to the first endpoint, 5 to the second.
  ASSERT_TRUE(store.wait_for(
      [](auto& s) { return all_in(s, store::WebhookDeliveryState::delivered, 20); }));

  std::lock_guard lock(poster.mu);
  EXPECT_EQ(poster.requests.size(), 20u);
  EXPECT_EQ(poster.max_per_message, 1);
  std::map<std::string, std::vector<std::string>> seen;  // message -> types, first endpoint
  std::set<std::string> ids;
  for (const auto& r : poster.requests) {
    auto id = FakePoster::header(r, "webhook-id");
    auto stamp = std::stoll(FakePoster::header(r, "webhook-timestamp"));
    EXPECT_EQ(FakePoster::header(r, "webhook-signature"),
              *webhook_signature(kSecret, id, stamp, r.body));
    EXPECT_EQ(r.method, "POST");
    if (!r.url.ends_with(ep)) continue;  // the second endpoint's copy of an event
    EXPECT_TRUE(ids.insert(id).second) << id;
    auto type_at = r.body.find("\"type\":\"") + 8;
    seen[FakePoster::message_of(r)].push_back(
        r.body.substr(type_at, r.body.find('"', type_at) - type_at));
  }
  ASSERT_EQ(seen.size(), 5u);
  for (const auto& [m, got] : seen) EXPECT_EQ(got, types) << m;
}

// What it posts it has leased first, in its node's name, for longer than
// an attempt may take: another node's sender leaves it alone meanwhile.
TEST_F(WebhookSenderTest, LeasesWhatItPostsInItsNodesName) {
  add_endpoint();
  auto o = fast();
  o.timeout = 2500ms;
  start(o);
  event(1 << 30, "message.accepted");
  event(2 << 30, "message.accepted");
  ASSERT_TRUE(
      store.wait_for([](auto& s) { return all_in(s, store::WebhookDeliveryState::delivered, 2); }));
  std::lock_guard lock(store.mu);
  ASSERT_FALSE(store.leases.empty());
  for (const auto& l : store.leases) {
    EXPECT_EQ(l.owner, "node-a");
    EXPECT_EQ(l.length, webhook_lease(o));
  }
  EXPECT_GT(webhook_lease(o), o.timeout);
  EXPECT_EQ(webhook_lease(o), 13s);
}

TEST_F(WebhookSenderTest, RetriesWithBackOffUntilTheEndpointAnswers) {
  std::atomic<int> calls{0};
  poster.answer = [&](const net::HttpClientRequest&) {
    net::HttpClientResponse r;
    r.status = ++calls <= 2 ? 503 : 200;
    return Result<net::HttpClientResponse>(r);
  };
  auto ep = add_endpoint();
  start(fast());
  event(1 << 30, "message.accepted");
  ASSERT_TRUE(
      store.wait_for([](auto& s) { return all_in(s, store::WebhookDeliveryState::delivered, 1); }));
  std::lock_guard lock(store.mu);
  ASSERT_EQ(store.attempts.size(), 3u);
  EXPECT_EQ(store.attempts[0].status, 503);
  ASSERT_TRUE(store.attempts[0].retry_at);
  // The second wait is the schedule's second step (60 ms here), not sooner.
  EXPECT_GE(store.attempts[2].at - store.attempts[1].at, 60ms);
  EXPECT_EQ(store.queue.begin()->second.attempts, 3);
  EXPECT_EQ(store.endpoints[ep].failing_since, SystemTime{});
}

TEST_F(WebhookSenderTest, GivesUpAfterRetryForAndTheNextEventOfTheMessageGoes) {
  poster.answer = [](const net::HttpClientRequest& r) {
    net::HttpClientResponse out;
    out.status = r.body.find("message.accepted") != std::string::npos ? 500 : 200;
    return Result<net::HttpClientResponse>(out);
  };
  add_endpoint();
  auto o = fast();
  o.retry_for = 150ms;
  start(o);
  event(1 << 30, "message.accepted");
  event(1 << 30, "message.sent");
  ASSERT_TRUE(store.wait_for([](auto& s) {
    return s.queue.size() == 2 && s.queue.at(1).state == store::WebhookDeliveryState::failed &&
           s.queue.at(2).state == store::WebhookDeliveryState::delivered;
  }));
  std::lock_guard lock(store.mu);
  EXPECT_GE(store.queue.at(1).attempts, 2);
  EXPECT_EQ(store.queue.at(1).last_error, "HTTP 500");
  // The later event waited for the earlier one to end.
  EXPECT_GE(store.queue.at(2).last_attempt_at, store.queue.at(1).last_attempt_at);
}

TEST_F(WebhookSenderTest, DisablesAnEndpointFailingLongerThanDisableAfter) {
  poster.answer = [](const net::HttpClientRequest&) {
    return Result<net::HttpClientResponse>(
        boost::system::in_place_error, make_error_code(net::HttpClientErrc::connection_refused));
  };
  auto ep = add_endpoint();
  auto o = fast();
  o.disable_after = 100ms;
  start(o);
  event(1 << 30, "message.accepted");
  ASSERT_TRUE(store.wait_for([&](auto& s) { return !s.endpoints.at(ep).enabled; }));
  std::lock_guard lock(store.mu);
  const auto& e = store.endpoints.at(ep);
  EXPECT_TRUE(e.disabled_reason.starts_with("failing since ")) << e.disabled_reason;
  EXPECT_NE(e.disabled_reason.find("connection_refused"), std::string::npos) << e.disabled_reason;
  EXPECT_GE(e.disabled_at - e.failing_since, 100ms);
  // Still pending: enabling it sends it again.
  EXPECT_EQ(store.queue.at(1).state, store::WebhookDeliveryState::pending);
}

TEST_F(WebhookSenderTest, GoneDisablesAtOnceAndEnablingResumes) {
  std::atomic<bool> gone{true};
  poster.answer = [&](const net::HttpClientRequest&) {
    net::HttpClientResponse r;
    r.status = gone ? 410 : 200;
    return Result<net::HttpClientResponse>(r);
  };
  auto ep = add_endpoint();
  start(fast());
  event(1 << 30, "message.accepted");
  ASSERT_TRUE(store.wait_for([&](auto& s) { return !s.endpoints.at(ep).enabled; }));
  {
    std::lock_guard lock(store.mu);
    EXPECT_TRUE(store.endpoints.at(ep).disabled_reason.starts_with("410 Gone from http://"));
  }
  gone = false;
  store.enable_endpoint(ep, clock.now(), [](Result<void>) {});
  ASSERT_TRUE(
      store.wait_for([](auto& s) { return all_in(s, store::WebhookDeliveryState::delivered, 1); }));
}

TEST_F(WebhookSenderTest, KeepsAtMostMaxInFlightPerEndpoint) {
  poster.delay = 20ms;
  add_endpoint();
  auto o = fast();
  o.max_in_flight = 3;
  start(o);
  for (std::uint64_t m = 1; m <= 12; ++m) event(m << 30, "message.accepted");
  std::atomic<int> most{0};
  ASSERT_TRUE(store.wait_for([&](auto& s) {
    int now = 0;
    {
      std::lock_guard lock(poster.mu);
      for (const auto& [_, n] : poster.in_flight) now += n;
    }
    most = std::max(most.load(), now);
    return all_in(s, store::WebhookDeliveryState::delivered, 12);
  }));
  EXPECT_LE(most.load(), 3);
  std::lock_guard lock(poster.mu);
  EXPECT_EQ(poster.requests.size(), 12u);
}

}  // namespace
}  // namespace postern::events
