// Request bodies in limits.inflight_bytes (request_budget.h): admitted
// within the budget, waiting first come first served, one always let
// through; and a JSON-bodied provider (SendGrid) that waits for room
// before it builds its next body instead of passing the budget.
#include "providers/common/request_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "core/message_json.h"
#include "net/io_runtime.h"
#include "providers/provider_test_support.h"
#include "providers/sendgrid/sendgrid_provider.h"
#include "support/recording_http_server.h"

namespace postern::providers::common {
namespace {

using namespace std::chrono_literals;

class RequestBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override { io_.start(); }
  void TearDown() override { io_.stop(); }

  // Admits a request of `bytes`; its charge lands in `charges[slot]`.
  void admit(RequestBudget& requests, std::uint64_t bytes, std::size_t slot) {
    requests.admit(bytes, [this, slot](RequestBudget::Charge charge) {
      std::lock_guard lock(mu_);
      charges_[slot] = std::move(charge);
      admitted_[slot].set_value();
    });
  }
  bool admitted(std::size_t slot, std::chrono::milliseconds wait = 5s) {
    return futures_[slot].wait_for(wait) == std::future_status::ready;
  }
  void reset(std::size_t slot) {
    RequestBudget::Charge charge;
    {
      std::lock_guard lock(mu_);
      charge = std::move(charges_[slot]);
    }
    charge.reset();
  }

  net::IoRuntime io_{1};
  MetricsRegistry metrics_;
  std::mutex mu_;
  RequestBudget::Charge charges_[3];
  std::promise<void> admitted_[3];
  std::shared_future<void> futures_[3] = {admitted_[0].get_future().share(),
                                          admitted_[1].get_future().share(),
                                          admitted_[2].get_future().share()};
};

TEST_F(RequestBudgetTest, RequestsPastTheBudgetWaitInTheirOrder) {
  InflightBudget budget(1000, metrics_);
  RequestBudget requests(budget, io_, metrics_);
  admit(requests, 600, 0);
  ASSERT_TRUE(admitted(0, 0ms));  // room: at once, on the caller's thread
  admit(requests, 600, 1);
  admit(requests, 100, 2);  // would fit, but comes after one that waits
  EXPECT_FALSE(admitted(1, 100ms));
  EXPECT_FALSE(admitted(2, 0ms));
  EXPECT_EQ(requests.waiting(), 2u);
  EXPECT_EQ(budget.used(), 600u);
  EXPECT_NE(metrics_.render().find("postern_inflight_waiting_requests 2"), std::string::npos);

  reset(0);  // the first ends: both fit now, in their order
  ASSERT_TRUE(admitted(1));
  ASSERT_TRUE(admitted(2));
  EXPECT_EQ(budget.used(), 700u);
  EXPECT_EQ(requests.held(), 2u);
  EXPECT_EQ(requests.waiting(), 0u);
  reset(1);
  reset(2);
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(requests.held(), 0u);
}

// Sending must move even when intake or leased content spent the budget,
// or with a body larger than all of it: one request goes when none is held.
TEST_F(RequestBudgetTest, OneRequestGoesWhateverTheBudgetWhenNoneIsHeld) {
  InflightBudget budget(1000, metrics_);
  budget.charge(1000);  // spent elsewhere
  RequestBudget requests(budget, io_, metrics_);
  admit(requests, 5000, 0);
  ASSERT_TRUE(admitted(0, 0ms));
  admit(requests, 10, 1);
  EXPECT_FALSE(admitted(1, 100ms));
  reset(0);
  ASSERT_TRUE(admitted(1));  // none held: it goes although the budget is spent
  EXPECT_EQ(budget.used(), 1010u);
  reset(1);
  budget.release(1000);
}

TEST(EncodedBodyEstimate, IsBase64AndTheJsonAround) {
  EXPECT_EQ(encoded_body_estimate(0), 4096u);
  EXPECT_EQ(encoded_body_estimate(3000), 4000u + 4096u);
  EXPECT_EQ(encoded_body_estimate(3001), 4004u + 4096u);
}

using postern::test::CannedResponse;
using postern::test::RecordedRequest;
using postern::test::RecordingHttpServer;

// A message with an attachment of `bytes`, as HTTP intake stores it.
std::shared_ptr<const OutboundMessage> message_with_attachment(std::size_t bytes) {
  auto m = test_support::sample_message();
  m.attachments.resize(1);
  m.attachments[0].content = std::string(bytes, 'a');
  return test_support::json_message(m);
}

// SendGrid's body (the attachment base64-encoded in JSON) is charged from
// before it is built until the answer; a second send that the budget has
// no room for waits, unsent and unbuilt, and goes once the first is done.
TEST(JsonBodiedProvider, WaitsForRoomInsteadOfPassingTheBudget) {
  // Answers the first request when fired.
  struct Gate {
    std::promise<void> promise;
    std::shared_future<void> fired = promise.get_future().share();
    bool open = false;
    void fire() {
      if (!std::exchange(open, true)) promise.set_value();
    }
  } answer_first;
  auto first_answered = answer_first.fired;
  // Counted in the handler: the server's own record is locked while its
  // handler runs.
  std::atomic<int> seen{0};
  std::atomic<std::size_t> first_body{0};
  RecordingHttpServer server([&](const RecordedRequest& r) {
    if (seen++ == 0) {
      first_body = r.body.size();
      first_answered.wait();  // holds the first request
    }
    return CannedResponse{202, {{"X-Message-Id", "sg"}}, ""};
  });
  // Before the server stops (it waits for its handler), whatever happened.
  struct FireOnExit {
    Gate& gate;
    ~FireOnExit() { gate.fire(); }
  } fire_on_exit{answer_first};
  test_support::ProviderHarness harness;
  MetricsRegistry metrics;
  auto message = message_with_attachment(300'000);
  auto estimate = encoded_body_estimate(message->content().size());
  InflightBudget budget(estimate + estimate / 2, metrics);
  net::IoRuntime io{1};
  io.start();
  RequestBudget requests(budget, io, metrics);
  harness.context().requests = &requests;
  auto provider = harness.create(sendgrid::SendGridFactory(),
                                 {{"api_key", "SG.key"}, {"base_url", server.url()}});
  ASSERT_TRUE(provider);

  std::promise<SendResult> first, second;
  provider->send(message, [&](SendResult r) { first.set_value(std::move(r)); });
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (seen == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(seen.load(), 1);
  // The charge is the body as sent, the attachment base64-encoded in it.
  const std::size_t body = first_body;
  EXPECT_GT(body, 400'000u);
  EXPECT_EQ(budget.used(), body);

  provider->send(message, [&](SendResult r) { second.set_value(std::move(r)); });
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(requests.waiting(), 1u);
  EXPECT_EQ(seen.load(), 1);       // not sent
  EXPECT_EQ(budget.used(), body);  // and not built: nothing more charged
  EXPECT_LE(budget.used(), budget.limit());

  answer_first.fire();
  auto second_result = second.get_future();
  ASSERT_EQ(second_result.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(first.get_future().get().failure_class, FailureClass::ok);
  EXPECT_EQ(second_result.get().failure_class, FailureClass::ok);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].body, server.requests()[0].body);
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(requests.held(), 0u);
  io.stop();
}

}  // namespace
}  // namespace postern::providers::common
