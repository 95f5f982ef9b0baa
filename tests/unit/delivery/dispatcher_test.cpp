#include "delivery/dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "net/io_runtime.h"
#include "store/sqlite/sqlite_store.h"
#include "support/await_completion.h"
#include "support/fake_event_store.h"
#include "support/fake_provider.h"
#include "support/holding_provider.h"
#include "support/temp_dir.h"

namespace postern::delivery {
namespace {

using providers::FailureClass;
using namespace std::chrono_literals;

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::sqlite::SqliteStore::open({dir_.file("d.db")}, clock_, metrics_);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
    io_.start();
  }
  void TearDown() override {
    if (dispatcher_) dispatcher_->stop(5s);
    store_->close();
    io_.stop();
  }

  // Providers join the router with these limits (by name; absent: none).
  struct Limits {
    double rate_limit = 0;
    std::size_t burst = 0;
    std::size_t max_concurrency = 0;
  };

  void start(std::vector<test::FakeProvider*> fakes,
             std::vector<std::unique_ptr<providers::Provider>> owned,
             RetryOptions retry = {10ms, 100ms, 60s, 0.2},
             std::map<std::string, Limits> limits = {}, std::chrono::milliseconds max_hold = 10s) {
    fakes_ = std::move(fakes);
    routing::RouterOptions router_options;
    router_options.outlier.base_ejection = 50ms;
    router_options.outlier.max_ejection = 200ms;
    router_ = std::make_unique<routing::Router>(clock_, metrics_, events_, router_options);
    for (auto& p : owned) {
      ProviderConfig c;
      c.name = p->name();
      c.type = "fake";
      if (auto it = limits.find(c.name); it != limits.end()) {
        c.rate_limit = it->second.rate_limit;
        c.burst = it->second.burst;
        c.max_concurrency = it->second.max_concurrency;
      }
      router_->add(std::move(p), c, routing::ProviderSource::config);
    }
    DispatcherOptions options;
    options.owner = "test";
    options.window = 64;
    options.poll_interval = 20ms;
    options.retry = retry;
    options.max_hold = max_hold;
    dispatcher_ =
        std::make_unique<Dispatcher>(io_, *store_, *router_, &waiters_, metrics_, clock_, options);
    if (dispatcher_suppressions_) dispatcher_->suppress_with(*dispatcher_suppressions_);
    if (dispatcher_budget_) dispatcher_->charge_content_to(*dispatcher_budget_);
    dispatcher_->start(true);
  }

  MessageId enqueue(
      const std::string& content = R"({"from":"a@x.org","to":"b@x.org","text":"t"})") {
    store::NewMessage m;
    m.content = content;
    m.envelope = {"a@x.org", {{"b@x.org", RecipientKind::to}}};
    auto r =
        test::await_completion<store::EnqueueResult>([&](auto done) { store_->enqueue(m, done); });
    EXPECT_TRUE(r);
    dispatcher_->wake();
    return r->id;
  }

  // A message to these recipients (all To).
  MessageId enqueue_to(const std::vector<std::string>& recipients) {
    store::NewMessage m;
    std::string to;
    m.envelope.sender = "a@x.org";
    for (const auto& r : recipients) {
      to += (to.empty() ? "\"" : ",\"") + r + "\"";
      m.envelope.recipients.push_back({r, RecipientKind::to});
    }
    m.content = R"({"from":"a@x.org","to":[)" + to + R"(],"text":"t"})";
    auto r =
        test::await_completion<store::EnqueueResult>([&](auto done) { store_->enqueue(m, done); });
    EXPECT_TRUE(r);
    dispatcher_->wake();
    return r->id;
  }

  // Waits for an event get a generous deadline: a loaded machine running
  // ASan builds may be slow to schedule a thread (docs/testing.md).
  static constexpr auto kGenerous = 30s;

  store::MessageDetail wait_final(MessageId id, std::chrono::seconds timeout = kGenerous) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto d = store_->get_message(id);
      EXPECT_TRUE(d);
      if (d && is_final(d->summary.status)) return *d;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "message never reached a final status: " << to_string(d->summary.status);
        return *d;
      }
      std::this_thread::sleep_for(5ms);
    }
  }

  // A message's final status is in the store a moment before the
  // dispatcher hears that it was recorded: wait for that moment.
  std::size_t settled_in_flight(std::chrono::milliseconds timeout = kGenerous) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (dispatcher_->in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    return dispatcher_->in_flight();
  }

  static std::vector<std::string> types(const store::MessageDetail& d) {
    std::vector<std::string> out;
    for (const auto& e : d.events) out.push_back(e.type);
    return out;
  }

  test::TempDir dir_;
  SystemClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::Store> store_;
  // Set before start(): where the dispatcher puts inactive recipients.
  store::EventStore* dispatcher_suppressions_ = nullptr;
  // Set before start(): the budget for content in flight it charges.
  InflightBudget* dispatcher_budget_ = nullptr;
  net::IoRuntime io_{1};
  OutcomeWaiters waiters_;
  std::vector<test::FakeProvider*> fakes_;
  routing::EventBus events_{clock_};
  std::unique_ptr<routing::Router> router_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

std::pair<std::vector<test::FakeProvider*>, std::vector<std::unique_ptr<providers::Provider>>>
providers_named(std::vector<std::string> names) {
  std::vector<test::FakeProvider*> raw;
  std::vector<std::unique_ptr<providers::Provider>> owned;
  for (auto& n : names) {
    auto p = std::make_unique<test::FakeProvider>(n);
    raw.push_back(p.get());
    owned.push_back(std::move(p));
  }
  return {raw, std::move(owned)};
}

TEST_F(DispatcherTest, DeliversEveryMessageExactlyOnce) {
  auto [fakes, owned] = providers_named({"a", "b"});
  start(fakes, std::move(owned));
  std::vector<MessageId> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(enqueue());
  for (auto id : ids) {
    auto d = wait_final(id);
    EXPECT_EQ(d.summary.status, MessageStatus::sent);
    EXPECT_EQ(types(d), (std::vector<std::string>{"accepted", "sent"}));
  }
  EXPECT_EQ(fakes[0]->sent().size() + fakes[1]->sent().size(), 300u);
  EXPECT_EQ(settled_in_flight(), 0u);
}

// At start a node takes back the leases its previous run left (its owner
// name), at once; another node's live lease on the same store stays there.
TEST_F(DispatcherTest, AtStartItTakesBackItsOwnLeasesButNotAnotherNodes) {
  auto queue_leased_by = [&](const std::string& owner) {
    store::NewMessage m;
    m.content = R"({"from":"a@x.org","to":"b@x.org","text":"t"})";
    m.envelope = {"a@x.org", {{"b@x.org", RecipientKind::to}}};
    auto id = test::await_completion<store::EnqueueResult>([&](auto done) {
                store_->enqueue(m, done);
              })->id;
    auto leased = test::await_completion<std::vector<store::LeasedMessage>>(
        [&](auto done) { store_->lease(owner, clock_.now(), 600s, 1, done); });
    EXPECT_EQ(leased->size(), 1u);
    return id;
  };
  auto mine = queue_leased_by("test");  // the dispatcher's owner name
  auto theirs = queue_leased_by("another-node");
  auto [fakes, owned] = providers_named({"a"});
  start(fakes, std::move(owned));
  auto d = wait_final(mine);
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_EQ(types(d), (std::vector<std::string>{"accepted", "reclaimed", "sent"}));
  EXPECT_EQ(store_->get_message(theirs)->summary.status, MessageStatus::sending);
  EXPECT_EQ(fakes[0]->sent().size(), 1u);
}

TEST_F(DispatcherTest, ATransientFailureIsRetriedOnAnotherProviderFirst) {
  auto [fakes, owned] = providers_named({"a", "b"});
  fakes[0]->set_default(FailureClass::transient);
  start(fakes, std::move(owned));
  for (int i = 0; i < 10; ++i) {
    auto d = wait_final(enqueue());
    EXPECT_EQ(d.summary.status, MessageStatus::sent);
    EXPECT_EQ(d.summary.provider, "b");
    if (d.events.size() == 3) {
      EXPECT_EQ(types(d), (std::vector<std::string>{"accepted", "deferred", "sent"}));
      EXPECT_EQ(d.events[1].provider, "a");
      EXPECT_EQ(d.events[1].failure_class, "transient");
    }
  }
}

TEST_F(DispatcherTest, PermanentFailureStopsAtOnce) {
  auto [fakes, owned] = providers_named({"a"});
  fakes[0]->script({{FailureClass::permanent, "550 5.1.1", "no such user"}});
  start(fakes, std::move(owned));
  auto d = wait_final(enqueue());
  EXPECT_EQ(d.summary.status, MessageStatus::failed);
  EXPECT_NE(d.summary.last_error.find("no such user"), std::string::npos);
  EXPECT_EQ(fakes[0]->sent().size(), 1u);
}

TEST_F(DispatcherTest, ARetryGoesOnlyToTheRecipientsStillWaiting) {
  auto [fakes, owned] = providers_named({"a"});
  providers::SendResult partly{FailureClass::transient, "450 4.2.0",
                               "deferred recipients: c@x.org"};
  partly.settled_recipients = {"b@x.org", "d@x.org"};
  fakes[0]->script({partly});
  start(fakes, std::move(owned));
  auto d = wait_final(enqueue_to({"b@x.org", "c@x.org", "d@x.org"}));
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_EQ(types(d), (std::vector<std::string>{"accepted", "deferred", "sent"}));
  EXPECT_EQ(fakes[0]->sent_to(), (std::vector<std::vector<std::string>>{
                                     {"b@x.org", "c@x.org", "d@x.org"}, {"c@x.org"}}));
  // The message still lists everyone, and which of them were settled.
  EXPECT_EQ(d.summary.recipients.size(), 3u);
  EXPECT_EQ(d.summary.settled_recipients, (std::vector<std::string>{"b@x.org", "d@x.org"}));
}

TEST_F(DispatcherTest, AManualRetryGoesToTheRefusedRecipientsAndNotToThoseThatHaveTheMessage) {
  auto [fakes, owned] = providers_named({"a"});
  providers::SendResult partly{FailureClass::transient, "450 4.2.0",
                               "deferred recipients: c@x.org"};
  partly.settled_recipients = {"b@x.org"};
  providers::SendResult refused{FailureClass::permanent, "550 5.1.1", "RCPT: c@x.org (550 5.1.1)"};
  refused.settled_recipients = {"c@x.org"};
  refused.refused_recipients = {"c@x.org"};
  fakes[0]->script({partly, refused});
  start(fakes, std::move(owned));
  auto id = enqueue_to({"b@x.org", "c@x.org"});
  auto d = wait_final(id);
  EXPECT_EQ(d.summary.status, MessageStatus::failed);
  EXPECT_EQ(d.summary.settled_recipients, (std::vector<std::string>{"b@x.org", "c@x.org"}));
  EXPECT_EQ(d.summary.refused_recipients, std::vector<std::string>{"c@x.org"});

  // The operator retries (the address was fixed at the far end): the
  // refused recipient gets the message, the one that has it does not.
  auto retried = test::await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); });
  ASSERT_TRUE(retried) << retried.error().message();
  d = wait_final(id);
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_EQ(fakes[0]->sent_to(), (std::vector<std::vector<std::string>>{
                                     {"b@x.org", "c@x.org"}, {"c@x.org"}, {"c@x.org"}}));
  EXPECT_TRUE(d.summary.refused_recipients.empty());
  EXPECT_EQ(d.summary.settled_recipients, std::vector<std::string>{"b@x.org"});
}

TEST_F(DispatcherTest, ASentMessageWithRefusedRecipientsIsRetriedToThemAlone) {
  auto [fakes, owned] = providers_named({"a"});
  // A relay took b and refused c with 550 in the same transaction.
  providers::SendResult sent{FailureClass::ok, "250 2.0.0",
                             "Ok; refused recipients: c@x.org (550 5.1.1)"};
  sent.settled_recipients = {"b@x.org", "c@x.org"};
  sent.refused_recipients = {"c@x.org"};
  fakes[0]->script({sent});
  start(fakes, std::move(owned));
  auto id = enqueue_to({"b@x.org", "c@x.org"});
  auto d = wait_final(id);
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_EQ(d.summary.refused_recipients, std::vector<std::string>{"c@x.org"});

  auto retried = test::await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); });
  ASSERT_TRUE(retried) << retried.error().message();
  d = wait_final(id);
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_EQ(fakes[0]->sent_to(),
            (std::vector<std::vector<std::string>>{{"b@x.org", "c@x.org"}, {"c@x.org"}}));
  EXPECT_TRUE(d.summary.refused_recipients.empty());
  EXPECT_EQ(types(d), (std::vector<std::string>{"accepted", "sent", "retried", "sent"}));

  // Nobody is left to send it to: a second retry is refused.
  auto again = test::await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); });
  EXPECT_EQ(again.error(), Errc::conflict);
}

TEST_F(DispatcherTest, MoreRecipientsThanAnyProviderTakesGoInParts) {
  auto [fakes, owned] = providers_named({"small", "smaller"});
  fakes[0]->set_max_recipients(2);
  fakes[1]->set_max_recipients(1);
  start(fakes, std::move(owned));
  auto d = wait_final(enqueue_to({"r0@x.org", "r1@x.org", "r2@x.org", "r3@x.org", "r4@x.org"}));
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  // Parts as large as the largest limit of the pool: only "small" takes
  // them, until the last one fits "smaller" too (elsewhere first).
  EXPECT_EQ(fakes[0]->sent_to(), (std::vector<std::vector<std::string>>{{"r0@x.org", "r1@x.org"},
                                                                        {"r2@x.org", "r3@x.org"}}));
  EXPECT_EQ(fakes[1]->sent_to(), (std::vector<std::vector<std::string>>{{"r4@x.org"}}));
  EXPECT_EQ(types(d), (std::vector<std::string>{"accepted", "deferred", "deferred", "sent"}));
  EXPECT_EQ(d.events[1].failure_class, "ok");
  EXPECT_EQ(d.events[1].detail.rfind(
                "sent to 2 of 5 recipients, as many as a provider of the pool takes", 0),
            0u)
      << d.events[1].detail;
  EXPECT_EQ(d.summary.settled_recipients.size(), 4u);
  // The parts before the last spent no try: the retry policy still sees a
  // first attempt (failover at once), however many parts went before.
  EXPECT_EQ(d.summary.attempts, 1);
}

TEST_F(DispatcherTest, APartWhoseRecipientsAreAllRefusedDoesNotStopTheNextParts) {
  auto [fakes, owned] = providers_named({"small"});
  fakes[0]->set_max_recipients(2);
  providers::SendResult refused{FailureClass::permanent, "550 5.1.1",
                                "RCPT: r0@x.org (550 5.1.1), r1@x.org (550 5.1.1)"};
  refused.settled_recipients = {"r0@x.org", "r1@x.org"};
  refused.refused_recipients = refused.settled_recipients;
  fakes[0]->script({refused});
  start(fakes, std::move(owned));
  const std::vector<std::string> three = {"r0@x.org", "r1@x.org", "r2@x.org"};
  auto d = wait_final(enqueue_to(three));
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_EQ(fakes[0]->sent_to(),
            (std::vector<std::vector<std::string>>{{"r0@x.org", "r1@x.org"}, {"r2@x.org"}}));
  ASSERT_EQ(types(d), (std::vector<std::string>{"accepted", "deferred", "sent"}));
  EXPECT_EQ(d.events[1].failure_class, "permanent");
  EXPECT_EQ(d.events[1].detail.rfind("2 of 3 recipients refused for good", 0), 0u)
      << d.events[1].detail;
  EXPECT_EQ(d.summary.refused_recipients, (std::vector<std::string>{"r0@x.org", "r1@x.org"}));

  // A manual retry goes to the refused part alone: r2 has the message.
  auto retried =
      test::await_completion<MessageStatus>([&](auto done) { store_->retry(d.summary.id, done); });
  ASSERT_TRUE(retried) << retried.error().message();
  d = wait_final(d.summary.id);
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_EQ(fakes[0]->sent_to(),
            (std::vector<std::vector<std::string>>{
                {"r0@x.org", "r1@x.org"}, {"r2@x.org"}, {"r0@x.org", "r1@x.org"}}));

  // Content the provider rejects is no part's alone: the message fails.
  fakes[0]->script({{FailureClass::permanent, "554 5.6.0", "content rejected"}});
  EXPECT_EQ(wait_final(enqueue_to(three)).summary.status, MessageStatus::failed);
}

TEST_F(DispatcherTest, SpentRetriesEndInFailedWithTheLastReason) {
  auto [fakes, owned] = providers_named({"a"});
  fakes[0]->set_default(FailureClass::transient);
  // A maximum age that leaves room for three attempts on a loaded machine.
  start(fakes, std::move(owned), {5ms, 20ms, 1s, 0.2});
  auto d = wait_final(enqueue());
  EXPECT_EQ(d.summary.status, MessageStatus::failed);
  EXPECT_NE(d.summary.last_error.find("retries spent"), std::string::npos);
  EXPECT_GE(fakes[0]->sent().size(), 3u);
  EXPECT_EQ(d.events.back().type, "failed");
}

TEST_F(DispatcherTest, UndecodableContentIsQuarantined) {
  auto [fakes, owned] = providers_named({"a"});
  fakes[0]->script(
      {{FailureClass::permanent, std::string(providers::kCorruptMessageCode), "cannot parse"}});
  start(fakes, std::move(owned));
  auto d = wait_final(enqueue("{garbage"));
  EXPECT_EQ(d.summary.status, MessageStatus::quarantined);
}

TEST_F(DispatcherTest, WaitersHearTheOutcome) {
  auto [fakes, owned] = providers_named({"a"});
  start(fakes, std::move(owned));
  std::promise<std::optional<Outcome>> heard;
  store::NewMessage m;
  m.content = "{}";
  m.envelope = {"a@x.org", {{"b@x.org", RecipientKind::to}}};
  // Registered in the enqueue completion, as the HTTP API does.
  auto r = test::await_completion<store::EnqueueResult>([&](auto done) {
    store_->enqueue(m, [&, done](Result<store::EnqueueResult> res) {
      waiters_.wait(res->id, std::chrono::steady_clock::now() + kGenerous,
                    [&](std::optional<Outcome> o) { heard.set_value(o); });
      done(res);
    });
  });
  dispatcher_->wake();
  auto f = heard.get_future();
  ASSERT_EQ(f.wait_for(kGenerous), std::future_status::ready);
  auto o = f.get();
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status, MessageStatus::sent);
  EXPECT_EQ(o->provider_message_id, "a-" + r->id.to_string());
}

// A provider at its concurrency cap or rate limit makes messages wait in
// memory: no deferral, no store round trip, every message sent once.
TEST_F(DispatcherTest, ABusyProviderMakesMessagesWaitInMemoryNotInTheStore) {
  auto [fakes, owned] = providers_named({"a"});
  start(fakes, std::move(owned), {10ms, 100ms, 60s, 0.2}, {{"a", {200, 1, 1}}});
  auto begin = std::chrono::steady_clock::now();
  std::vector<MessageId> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(enqueue());
  for (auto id : ids) {
    auto d = wait_final(id);
    EXPECT_EQ(d.summary.status, MessageStatus::sent);
    EXPECT_EQ(types(d), (std::vector<std::string>{"accepted", "sent"}));
  }
  // 200 per second with a burst of one: 40 messages take about 200 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 150ms);
  EXPECT_EQ(fakes[0]->sent().size(), 40u);
  EXPECT_EQ(dispatcher_->held(), 0u);
  EXPECT_EQ(settled_in_flight(), 0u);
}

TEST_F(DispatcherTest, AHeldMessageIsDeferredAfterMaxHold) {
  auto [fakes, owned] = providers_named({"a"});
  // The only provider answers 429 with a long Retry-After (longer than the
  // test may take): the next message waits max_hold in memory, then goes
  // back to the store.
  providers::SendResult throttled{FailureClass::transient, "429", "slow down", 60000ms};
  fakes[0]->script({throttled});
  start(fakes, std::move(owned), {10ms, 100ms, 60s, 0.2}, {}, 100ms);
  auto first = enqueue();
  auto deadline = std::chrono::steady_clock::now() + kGenerous;
  while (store_->get_message(first)->summary.status != MessageStatus::deferred &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(2ms);
  }
  settled_in_flight();
  auto second = enqueue();
  deadline = std::chrono::steady_clock::now() + kGenerous;
  while (store_->get_message(second)->summary.status != MessageStatus::deferred &&
         std::chrono::steady_clock::now() < deadline) {
    EXPECT_LE(fakes[0]->sent().size(), 1u);  // held, not sent to the throttled provider
    std::this_thread::sleep_for(2ms);
  }
  auto d = store_->get_message(second);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->events.size(), 2u);
  EXPECT_EQ(d->events[1].type, "deferred");
  EXPECT_EQ(d->events[1].code, "provider_busy");
  EXPECT_EQ(d->events[1].provider, "");
  EXPECT_EQ(settled_in_flight(), 0u);
  EXPECT_EQ(dispatcher_->held(), 0u);
}

TEST_F(DispatcherTest, TrafficLeavesAProviderThatGoesDownAndLosesNothing) {
  auto [fakes, owned] = providers_named({"a", "b", "c"});
  start(fakes, std::move(owned));
  fakes[1]->set_default(FailureClass::provider_down);
  auto begin = std::chrono::steady_clock::now();
  std::vector<MessageId> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(enqueue());
  for (auto id : ids) EXPECT_EQ(wait_final(id).summary.status, MessageStatus::sent);
  // Ejected on its first refusal: only a few attempts reached it, while the
  // ejection pauses (50 ms, doubling up to 200 ms) let an odd trial through,
  // as many as the time taken allows (more on a loaded machine).
  auto trials = (std::chrono::steady_clock::now() - begin) / 200ms;
  EXPECT_LT(fakes[1]->sent().size(), 20u + static_cast<std::size_t>(trials));
  EXPECT_EQ(fakes[0]->sent().size() + fakes[2]->sent().size(), 200u);
}

TEST_F(DispatcherTest, WithNoProviderAvailableMessagesWaitInsteadOfFailing) {
  auto [fakes, owned] = providers_named({"a"});
  fakes[0]->script({{FailureClass::provider_down, "refused", "connection refused"}});
  start(fakes, std::move(owned));
  auto id = enqueue();
  auto d = wait_final(id);  // ejected for 50 ms, then back: sent
  EXPECT_EQ(d.summary.status, MessageStatus::sent);
  EXPECT_GE(d.events.size(), 3u);
}

// Stop, with attempts in flight at a provider that holds its answers.
class DispatcherStopTest : public DispatcherTest {
 protected:
  test::HoldingProvider* start_holding() {
    auto held = std::make_unique<test::HoldingProvider>("held");
    auto* provider = held.get();
    std::vector<std::unique_ptr<providers::Provider>> owned;
    owned.push_back(std::move(held));
    start({}, std::move(owned));
    return provider;
  }
};

TEST_F(DispatcherStopTest, ReturnsOnceTheAttemptInFlightIsRecorded) {
  auto* provider = start_holding();
  auto id = enqueue();
  ASSERT_TRUE(provider->wait_for_send());
  auto stopped = std::async(std::launch::async, [&] { dispatcher_->stop(600s); });
  EXPECT_EQ(stopped.wait_for(100ms), std::future_status::timeout);  // the attempt is in flight
  provider->release();
  ASSERT_EQ(stopped.wait_for(60s), std::future_status::ready);  // long before its grace
  EXPECT_EQ(dispatcher_->in_flight(), 0u);
  EXPECT_EQ(store_->get_message(id)->summary.status, MessageStatus::sent);
}

// limits.inflight_bytes: leased content is charged until its attempt is
// recorded, and a lease takes no more than half the room left (the other
// half is for the request bodies built from it): the budget is never
// passed, sampled throughout.
TEST_F(DispatcherStopTest, LeasesNoMoreContentThanTheBudgetHolds) {
  const std::string content =
      R"({"from":"a@x.org","to":"b@x.org","text":")" + std::string(10000, 'x') + R"("})";
  const auto c = content.size();
  InflightBudget budget(5 * c, metrics_);
  dispatcher_budget_ = &budget;
  std::atomic<bool> sampling{true};
  std::atomic<std::uint64_t> peak{0};
  std::thread sampler([&] {
    while (sampling) {
      peak = std::max<std::uint64_t>(peak, budget.used());
      std::this_thread::yield();
    }
  });
  auto* provider = start_holding();
  std::vector<MessageId> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(enqueue(content));
  ASSERT_TRUE(provider->wait_for_send());
  // Each lease takes what fits in half the room: used 0 -> 2c (2.5c of
  // room for content) or 1c, then up to 3c, then 4c; with 4c used half the
  // room (0.5c) holds no message, and with sends in flight none is taken.
  auto deadline = std::chrono::steady_clock::now() + kGenerous;
  while (dispatcher_->in_flight() < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  dispatcher_->wake();
  std::this_thread::sleep_for(200ms);  // ten polls: a fifth lease would have come
  EXPECT_EQ(dispatcher_->in_flight(), 4u);
  EXPECT_EQ(budget.used(), 4 * c);
  auto queued = [&] {
    return std::count_if(ids.begin(), ids.end(), [&](MessageId id) {
      return store_->get_message(id)->summary.status == MessageStatus::queued;
    });
  };
  EXPECT_EQ(queued(), 2);
  // Released, the rest goes, and the budget comes back whole.
  while (std::any_of(ids.begin(), ids.end(),
                     [&](MessageId id) {
                       return store_->get_message(id)->summary.status != MessageStatus::sent;
                     }) &&
         std::chrono::steady_clock::now() < deadline) {
    provider->release();
    std::this_thread::sleep_for(1ms);
  }
  for (auto id : ids) EXPECT_EQ(store_->get_message(id)->summary.status, MessageStatus::sent);
  EXPECT_EQ(settled_in_flight(), 0u);
  EXPECT_EQ(budget.used(), 0u);
  sampling = false;
  sampler.join();
  EXPECT_LE(peak.load(), budget.limit());
}

// A message larger than the whole budget still goes, alone: the lease
// takes it when nothing else is being sent, and the next waits for it.
TEST_F(DispatcherStopTest, AMessageLargerThanTheBudgetGoesAlone) {
  const std::string content =
      R"({"from":"a@x.org","to":"b@x.org","text":")" + std::string(10000, 'x') + R"("})";
  InflightBudget budget(content.size() / 2, metrics_);
  dispatcher_budget_ = &budget;
  auto* provider = start_holding();
  auto first = enqueue(content);
  auto second = enqueue(content);
  ASSERT_TRUE(provider->wait_for_send());
  dispatcher_->wake();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(dispatcher_->in_flight(), 1u);
  EXPECT_EQ(budget.used(), content.size());
  provider->release();
  EXPECT_EQ(wait_final(first).summary.status, MessageStatus::sent);
  ASSERT_TRUE(provider->wait_for_send());
  provider->release();
  EXPECT_EQ(wait_final(second).summary.status, MessageStatus::sent);
  EXPECT_EQ(settled_in_flight(), 0u);
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(DispatcherStopTest, GivesUpOnAnAttemptStillInFlightAfterItsGrace) {
  auto* provider = start_holding();
  enqueue();
  ASSERT_TRUE(provider->wait_for_send());
  auto stopped = std::async(std::launch::async, [&] { dispatcher_->stop(200ms); });
  ASSERT_EQ(stopped.wait_for(60s), std::future_status::ready);
  EXPECT_EQ(dispatcher_->in_flight(), 1u);  // still leased: the next start reclaims it
  provider->release();                      // a provider answers every send, even after a stop
  EXPECT_EQ(settled_in_flight(), 0u);
}

}  // namespace
}  // namespace postern::delivery

namespace postern::delivery {
namespace {

// Suppressed recipients (NewMessage::suppressed, as intake notes them) are
// left out by the store; the dispatcher sends to the others, or to nobody.
class DispatcherSuppressionTest : public DispatcherTest {
 protected:
  MessageId enqueue_suppressed(const std::vector<std::string>& to,
                               std::vector<std::string> suppressed) {
    store::NewMessage m;
    m.envelope.sender = "a@x.org";
    for (const auto& r : to) m.envelope.recipients.push_back({r, RecipientKind::to});
    m.content = R"({"from":"a@x.org","to":"b@x.org","text":"t"})";
    m.suppressed = std::move(suppressed);
    auto r =
        test::await_completion<store::EnqueueResult>([&](auto done) { store_->enqueue(m, done); });
    EXPECT_TRUE(r);
    dispatcher_->wake();
    return r->id;
  }

  test::FakeEventStore list_;  // outlives the dispatcher (stopped in TearDown)
};

TEST_F(DispatcherSuppressionTest, SuppressedRecipientsAreLeftOutAndAllSuppressedFailsUnsent) {
  auto [fakes, owned] = providers_named({"a"});
  start(fakes, std::move(owned));
  auto some = wait_final(enqueue_suppressed({"b@x.org", "c@x.org"}, {"c@x.org"}));
  EXPECT_EQ(some.summary.status, MessageStatus::sent);
  EXPECT_EQ(some.summary.suppressed_recipients, (std::vector<std::string>{"c@x.org"}));
  auto all = wait_final(enqueue_suppressed({"b@x.org", "c@x.org"}, {"b@x.org", "c@x.org"}));
  EXPECT_EQ(all.summary.status, MessageStatus::failed);
  EXPECT_EQ(all.events.back().failure_class, "suppressed");
  EXPECT_TRUE(all.events.back().provider.empty());
  EXPECT_EQ(fakes[0]->sent_to(), (std::vector<std::vector<std::string>>{{"b@x.org"}}));
}

TEST_F(DispatcherSuppressionTest, AProvidersInactiveRecipientsJoinTheList) {
  auto [fakes, owned] = providers_named({"pm"});
  providers::SendResult inactive{FailureClass::permanent, "ErrorCode 406", "inactive: gone@x.org"};
  inactive.inactive_recipients = {"gone@x.org"};
  fakes[0]->script({inactive});
  dispatcher_suppressions_ = &list_;
  start(fakes, std::move(owned));
  auto id = enqueue_to({"gone@x.org"});
  EXPECT_EQ(wait_final(id).summary.status, MessageStatus::failed);
  EXPECT_EQ(settled_in_flight(), 0u);
  auto entry = list_.suppression("gone@X.org");
  ASSERT_TRUE(entry && *entry);
  EXPECT_EQ((*entry)->reason, "inactive");
  EXPECT_EQ((*entry)->provider, "pm");
  EXPECT_EQ((*entry)->message, id);
  EXPECT_EQ((*entry)->detail, "inactive: gone@x.org");
}

}  // namespace
}  // namespace postern::delivery
