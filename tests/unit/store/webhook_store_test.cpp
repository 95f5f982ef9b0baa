// Webhooks out on both backends: which state changes are recorded (only
// those an enabled endpoint subscribes to, in the transaction of the
// change), each endpoint's queue (fan-out, order per message, attempts,
// leases, disable and enable, redeliver, deletion), retention and a
// restart; on PostgreSQL, several nodes sharing the queues. Provider
// reports are told of on SQLite only until PostgreSQL records them (its
// event store).
#include "store/webhook_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "message_calls.h"
#include "node_parts.h"
#include "store/postgres/connection.h"
#include "store/sqlite/database.h"
#include "support/await_completion.h"

namespace postern::store {
namespace {

using namespace std::chrono_literals;
using events::RecipientEventType;
using test::await_completion;
using Types = std::vector<std::string>;

class WebhookStoreTest : public AnyStoreFixture {
 protected:
  WebhookStore& hooks() { return webhooks_of(*store_, backend_); }

  MessageId enqueue(std::vector<std::string> to, std::vector<std::string> suppressed = {}) {
    return test_calls::enqueue(*store_, std::move(to), std::move(suppressed));
  }
  std::vector<LeasedMessage> lease() { return test_calls::lease(*store_, clock_.now()); }
  void record_attempt(MessageId id, const std::string& provider, const std::string& provider_id) {
    test_calls::record_attempt(*store_, clock_.now(), id, provider, provider_id,
                               MessageStatus::sent, {});
  }
  MessageId sent_message(std::vector<std::string> to, const std::string& provider,
                         const std::string& provider_id) {
    auto id = enqueue(std::move(to));
    EXPECT_EQ(lease().size(), 1u);
    record_attempt(id, provider, provider_id);
    return id;
  }

  // Provider reports: recorded by the event store.
  events::ProviderEvent event(const std::string& provider, const std::string& dedupe_key,
                              const std::string& provider_id, const std::string& recipient,
                              events::RecipientEventType type) {
    return test_calls::provider_event(clock_.now(), provider, dedupe_key, provider_id, recipient,
                                      type);
  }
  void record(std::vector<events::ProviderEvent> batch) {
    auto& events = events_of(*store_, backend_);
    auto r = await_completion<std::vector<EventOutcome>>(
        [&](auto done) { events.record_provider_events(std::move(batch), done); });
    EXPECT_TRUE(r) << r.error().message();
  }

  std::vector<WebhookDelivery> lease_deliveries(WebhookStore& store, const std::string& id,
                                                const std::string& owner, std::size_t limit = 100) {
    auto r = await_completion<std::vector<WebhookDelivery>>(
        [&](auto done) { store.lease_deliveries(id, owner, clock_.now(), 30s, limit, done); });
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::vector<WebhookDelivery>{};
  }

  void create(const std::string& id, Types events = {}) {
    WebhookEndpoint ep;
    ep.id = id;
    ep.url = "https://example.org/hooks/" + id;
    ep.events = std::move(events);
    ep.secret = "whsec_c2VjcmV0";
    ep.created_at = clock_.now();
    auto r =
        await_completion<void>([&](auto done) { hooks().create_endpoint(std::move(ep), done); });
    ASSERT_TRUE(r) << r.error().message();
  }

  std::size_t fan_out(const std::string& id, std::size_t limit = 100) {
    auto r = await_completion<std::size_t>(
        [&](auto done) { hooks().fan_out(id, clock_.now(), limit, done); });
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : 0;
  }

  std::vector<WebhookDelivery> due(const std::string& id, std::size_t limit = 100) {
    auto r = hooks().due_deliveries(id, clock_.now(), limit);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::vector<WebhookDelivery>{};
  }

  // The endpoint's whole queue and log, oldest first.
  std::vector<WebhookDelivery> queue(const std::string& id) {
    auto r = hooks().deliveries(id, 0, 1000);
    EXPECT_TRUE(r) << r.error().message();
    auto all = r ? *r : std::vector<WebhookDelivery>{};
    std::reverse(all.begin(), all.end());
    return all;
  }

  static Types types(const std::vector<WebhookDelivery>& ds) {
    Types out;
    for (const auto& d : ds) out.push_back(d.event.type);
    return out;
  }

  // Every event recorded so far, as the one endpoint "ep_all" (made here
  // when missing) is queued them.
  std::vector<WebhookEvent> told(const std::string& endpoint = "ep_all") {
    fan_out(endpoint, 1000);
    std::vector<WebhookEvent> out;
    for (const auto& d : queue(endpoint)) out.push_back(d.event);
    return out;
  }

  Result<void> attempt(std::int64_t delivery, bool delivered,
                       std::optional<SystemTime> retry_at = std::nullopt, int status = 500,
                       std::string error = "HTTP 500") {
    WebhookAttempt a;
    a.delivery_id = delivery;
    a.at = clock_.now();
    a.delivered = delivered;
    a.status = delivered ? 200 : status;
    a.error = delivered ? "" : std::move(error);
    a.latency = 1500us;
    a.retry_at = retry_at;
    return await_completion<void>(
        [&](auto done) { hooks().record_delivery_attempt(std::move(a), done); });
  }

  Result<void> disable(const std::string& id, const std::string& reason = "by request") {
    return await_completion<void>(
        [&](auto done) { hooks().disable_endpoint(id, clock_.now(), reason, done); });
  }
  Result<void> enable(const std::string& id) {
    return await_completion<void>(
        [&](auto done) { hooks().enable_endpoint(id, clock_.now(), done); });
  }
  Result<void> remove(const std::string& id) {
    return await_completion<void>([&](auto done) { hooks().delete_endpoint(id, done); });
  }
  Result<void> redeliver(std::int64_t id) {
    return await_completion<void>([&](auto done) { hooks().redeliver(id, clock_.now(), done); });
  }
  Result<std::size_t> purge(SystemTime before, std::size_t limit = 100) {
    return await_completion<std::size_t>(
        [&](auto done) { hooks().purge_webhook_log(before, limit, done); });
  }
  WebhookEndpoint endpoint(const std::string& id) {
    auto r = hooks().endpoint(id);
    EXPECT_TRUE(r && *r) << id;
    return r && *r ? **r : WebhookEndpoint{};
  }

  // Rows of a table, read from the database itself.
  std::int64_t rows(const std::string& table) {
    if (backend_ == Backend::postgres) {
      auto c = postgres::Connection::open(pg_->conninfo(database_));
      EXPECT_TRUE(c);
      auto n = (*c)->query("SELECT count(*) FROM " + table);
      EXPECT_TRUE(n);
      return n->integer(0, 0);
    }
    auto db = sqlite::Database::open(dir_.file("postern.db"), false);
    EXPECT_TRUE(db);
    auto s = (*db)->prepare("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(s);
    EXPECT_TRUE(s->step().value());
    return s->column_int(0);
  }

  Result<MessageStatus> cancel(MessageId id) {
    return await_completion<MessageStatus>([&](auto done) { store_->cancel(id, done); });
  }
  Result<MessageStatus> retry(MessageId id) {
    return await_completion<MessageStatus>([&](auto done) { store_->retry(id, done); });
  }

  // An attempt of a leased message as the dispatcher records it.
  void attempt_of(MessageId id, MessageStatus next, const std::string& failure_class,
                  bool counts = true, std::vector<std::string> settled = {}) {
    AttemptRecord rec;
    rec.id = id;
    rec.next_status = next;
    rec.next_attempt_at = clock_.now() + 60s;
    rec.provider = "mailgun";
    rec.failure_class = failure_class;
    rec.code = "421";
    rec.detail = "try later";
    rec.settled_recipients = std::move(settled);
    rec.counts_as_attempt = counts;
    auto r = await_completion<void>(
        [&](auto done) { store_->record_attempt("w1", std::move(rec), done); });
    ASSERT_TRUE(r) << r.error().message();
  }
};

TEST_P(WebhookStoreTest, NothingIsRecordedWithoutAnEnabledEndpoint) {
  auto id = enqueue({"b@x.org", "c@x.org"}, {"c@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  record_attempt(id, "mailgun", "<m1@mg>");
  record({event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::delivered)});
  auto other = enqueue({"d@x.org"});
  ASSERT_TRUE(cancel(other));
  ASSERT_TRUE(retry(other));
  EXPECT_EQ(rows("webhook_events"), 0);

  create("ep_off");
  ASSERT_TRUE(disable("ep_off"));
  enqueue({"e@x.org"});
  EXPECT_EQ(rows("webhook_events"), 0);
}

TEST_P(WebhookStoreTest, OnlySubscribedTypesAreRecordedAndQueued) {
  create("ep_sent", {"message.sent"});
  sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  EXPECT_EQ(rows("webhook_events"), 1);
  EXPECT_EQ(fan_out("ep_sent"), 1u);
  EXPECT_EQ(types(queue("ep_sent")), (Types{"message.sent"}));

  // A second endpoint's types are recorded too, and fanned out to it
  // alone: the first reads them (its cursor moves) but queues none.
  create("ep_accepted", {"message.accepted"});
  sent_message({"c@x.org"}, "mailgun", "<m2@mg>");
  EXPECT_EQ(rows("webhook_events"), 3);
  EXPECT_EQ(fan_out("ep_sent"), 2u);
  EXPECT_EQ(fan_out("ep_sent"), 0u);
  EXPECT_EQ(types(queue("ep_sent")), (Types{"message.sent", "message.sent"}));
  EXPECT_EQ(fan_out("ep_accepted"), 2u);
  EXPECT_EQ(types(queue("ep_accepted")), (Types{"message.accepted"}));
}

TEST_P(WebhookStoreTest, AnEndpointMadeLaterIsToldOnlyOfLaterChanges) {
  create("ep_all");
  auto first = enqueue({"b@x.org"});
  create("ep_late");
  auto second = enqueue({"c@x.org"});
  auto late = told("ep_late");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].message, second);
  auto all = told();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].message, first);
  EXPECT_LT(all[0].id, all[1].id);
}

TEST_P(WebhookStoreTest, FanOutMovesTheCursorByAtMostTheLimit) {
  create("ep_all");
  std::vector<MessageId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(enqueue({"b@x.org"}));
  EXPECT_EQ(fan_out("ep_all", 2), 2u);
  EXPECT_EQ(queue("ep_all").size(), 2u);
  EXPECT_EQ(fan_out("ep_all", 2), 2u);
  EXPECT_EQ(fan_out("ep_all", 2), 1u);
  EXPECT_EQ(fan_out("ep_all", 2), 0u);
  auto q = queue("ep_all");
  ASSERT_EQ(q.size(), 5u);
  for (std::size_t i = 0; i < q.size(); ++i) {
    EXPECT_EQ(q[i].event.message, ids[i]);
    EXPECT_EQ(q[i].state, WebhookDeliveryState::pending);
    EXPECT_EQ(q[i].attempts, 0);
    EXPECT_EQ(q[i].created_at, clock_.now());
    EXPECT_EQ(q[i].next_attempt_at, clock_.now());
    EXPECT_EQ(q[i].endpoint_id, "ep_all");
    if (i > 0) {
      EXPECT_GT(q[i].id, q[i - 1].id);
    }
  }
  EXPECT_EQ(fan_out("ep_unknown"), 0u);
}

TEST_P(WebhookStoreTest, AMessagesChangesGoOutInOrderWhileOtherMessagesGoAhead) {
  create("ep_all");
  auto m1 = enqueue({"b@x.org"});
  auto m2 = enqueue({"c@x.org"});
  ASSERT_TRUE(cancel(m1));
  fan_out("ep_all");
  auto d = due("ep_all");
  ASSERT_EQ(types(d), (Types{"message.accepted", "message.accepted"}));
  EXPECT_EQ(d[0].event.message, m1);
  EXPECT_EQ(d[1].event.message, m2);
  auto m1_accepted = d[0].id;

  // m1's first change waits for a retry: its second waits behind it, m2's goes.
  ASSERT_TRUE(attempt(m1_accepted, false, clock_.now() + 60s));
  d = due("ep_all");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].event.message, m2);
  ASSERT_TRUE(attempt(d[0].id, true));
  EXPECT_TRUE(due("ep_all").empty());
  EXPECT_EQ(hooks().next_due("ep_all").value(), clock_.now() + 60s);

  clock_.advance(60s);
  d = due("ep_all");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].id, m1_accepted);
  ASSERT_TRUE(attempt(m1_accepted, true));
  EXPECT_EQ(types(due("ep_all")), (Types{"message.cancelled"}));
  EXPECT_EQ(due("ep_all", 0).size(), 0u);
}

TEST_P(WebhookStoreTest, AttemptsRecordTheOutcomeAndTheEndpointsFailingStreak) {
  create("ep_all");
  enqueue({"b@x.org"});
  enqueue({"c@x.org"});
  fan_out("ep_all");
  auto q = queue("ep_all");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(endpoint("ep_all").failing_since, SystemTime{});

  auto failed_at = clock_.now();
  ASSERT_TRUE(attempt(q[0].id, false, clock_.now() + 30s, 0, std::string(600, 'e')));
  auto d = hooks().delivery(q[0].id).value().value();
  EXPECT_EQ(d.state, WebhookDeliveryState::pending);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.next_attempt_at, clock_.now() + 30s);
  EXPECT_EQ(d.last_attempt_at, clock_.now());
  EXPECT_EQ(d.last_status, 0);
  EXPECT_LE(d.last_error.size(), 500u);
  EXPECT_EQ(d.last_latency, 1500us);
  EXPECT_EQ(endpoint("ep_all").failing_since, failed_at);

  // A later failure keeps when the streak started; a success ends it.
  clock_.advance(30s);
  ASSERT_TRUE(attempt(q[0].id, false, std::nullopt, 503, "HTTP 503"));
  d = hooks().delivery(q[0].id).value().value();
  EXPECT_EQ(d.state, WebhookDeliveryState::failed);
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.last_status, 503);
  EXPECT_EQ(d.last_error, "HTTP 503");
  EXPECT_EQ(endpoint("ep_all").failing_since, failed_at);
  EXPECT_EQ(types(due("ep_all")), (Types{"message.accepted"}));  // the failed one is done with

  ASSERT_TRUE(attempt(q[1].id, true));
  d = hooks().delivery(q[1].id).value().value();
  EXPECT_EQ(d.state, WebhookDeliveryState::delivered);
  EXPECT_EQ(d.last_status, 200);
  EXPECT_EQ(d.last_error, "");
  EXPECT_EQ(endpoint("ep_all").failing_since, SystemTime{});
  EXPECT_TRUE(due("ep_all").empty());
  EXPECT_EQ(hooks().next_due("ep_all").value(), std::nullopt);

  EXPECT_EQ(attempt(987654, true).error(), Errc::not_found);
  EXPECT_EQ(hooks().delivery(987654).value(), std::nullopt);
}

TEST_P(WebhookStoreTest, ADisabledEndpointIsNotQueuedWhatHappensMeanwhile) {
  create("ep_all");
  create("ep_other");
  enqueue({"b@x.org"});
  fan_out("ep_all");
  auto waiting = queue("ep_all").at(0).id;
  ASSERT_TRUE(attempt(waiting, false, clock_.now() + 1h));

  clock_.advance(1min);
  ASSERT_TRUE(disable("ep_all", "failing since then: HTTP 500"));
  auto off = endpoint("ep_all");
  EXPECT_FALSE(off.enabled);
  EXPECT_EQ(off.disabled_at, clock_.now());
  EXPECT_EQ(off.disabled_reason, "failing since then: HTTP 500");
  EXPECT_EQ(hooks().next_due("ep_all").value(), std::nullopt);
  enqueue({"c@x.org"});  // recorded for ep_other only
  EXPECT_EQ(fan_out("ep_all"), 0u);
  clock_.advance(2h);
  EXPECT_TRUE(due("ep_all").empty());

  ASSERT_TRUE(enable("ep_all"));
  auto on = endpoint("ep_all");
  EXPECT_TRUE(on.enabled);
  EXPECT_EQ(on.disabled_at, SystemTime{});
  EXPECT_EQ(on.disabled_reason, "");
  EXPECT_EQ(on.failing_since, SystemTime{});
  EXPECT_EQ(fan_out("ep_all"), 0u);  // its cursor moved past c@x.org's message
  auto d = due("ep_all");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].id, waiting);
  EXPECT_EQ(d[0].next_attempt_at, clock_.now());
  EXPECT_EQ(told("ep_other").size(), 2u);

  // Enabling an enabled endpoint changes nothing; unknown ones are not found.
  ASSERT_TRUE(attempt(waiting, false, clock_.now() + 1h));
  ASSERT_TRUE(enable("ep_all"));
  EXPECT_TRUE(due("ep_all").empty());
  EXPECT_EQ(enable("ep_none").error(), Errc::not_found);
  EXPECT_EQ(disable("ep_none").error(), Errc::not_found);
}

TEST_P(WebhookStoreTest, RedeliverMakesAnyDeliveryDueAgain) {
  create("ep_all");
  enqueue({"b@x.org"});
  fan_out("ep_all");
  auto id = queue("ep_all").at(0).id;
  ASSERT_TRUE(attempt(id, true));
  EXPECT_TRUE(due("ep_all").empty());
  clock_.advance(5min);
  ASSERT_TRUE(redeliver(id));
  auto d = due("ep_all");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].id, id);
  EXPECT_EQ(d[0].state, WebhookDeliveryState::pending);
  EXPECT_EQ(d[0].next_attempt_at, clock_.now());
  EXPECT_EQ(d[0].attempts, 1);
  EXPECT_EQ(redeliver(987654).error(), Errc::not_found);
}

TEST_P(WebhookStoreTest, DeletingAnEndpointRemovesItsQueueAndItsSubscriptions) {
  create("ep_all");
  enqueue({"b@x.org"});
  fan_out("ep_all");
  auto id = queue("ep_all").at(0).id;
  WebhookEndpoint again;
  again.id = "ep_all";
  EXPECT_EQ(
      await_completion<void>([&](auto done) { hooks().create_endpoint(again, done); }).error(),
      Errc::conflict);

  ASSERT_TRUE(remove("ep_all"));
  EXPECT_EQ(hooks().endpoint("ep_all").value(), std::nullopt);
  EXPECT_TRUE(hooks().list_endpoints().value().empty());
  EXPECT_EQ(hooks().delivery(id).value(), std::nullopt);
  EXPECT_EQ(rows("webhook_deliveries"), 0);
  EXPECT_EQ(attempt(id, true).error(), Errc::not_found);
  EXPECT_EQ(remove("ep_all").error(), Errc::not_found);
  auto before = rows("webhook_events");
  enqueue({"c@x.org"});
  EXPECT_EQ(rows("webhook_events"), before);
}

TEST_P(WebhookStoreTest, RetentionDeletesEndedDeliveriesAndTheEventsNoOneNeeds) {
  create("ep_all");
  create("ep_sent", {"message.sent"});
  for (int i = 0; i < 3; ++i) enqueue({"b@x.org"});
  fan_out("ep_all");
  fan_out("ep_sent");  // reads the three, queues none
  auto q = queue("ep_all");
  ASSERT_EQ(q.size(), 3u);
  ASSERT_TRUE(attempt(q[0].id, true));
  ASSERT_TRUE(attempt(q[1].id, false));  // failed for good
  clock_.advance(2h);
  EXPECT_EQ(purge(clock_.now() - 3h).value(), 0u);  // none ended that long ago
  EXPECT_EQ(purge(clock_.now() - 1h, 1).value(), 1u);
  EXPECT_EQ(purge(clock_.now() - 1h).value(), 1u);
  EXPECT_EQ(purge(clock_.now() - 1h).value(), 0u);
  auto left = queue("ep_all");
  ASSERT_EQ(left.size(), 1u);  // the pending one stays, and its event
  EXPECT_EQ(left[0].id, q[2].id);
  EXPECT_EQ(left[0].event.message, q[2].event.message);
  EXPECT_EQ(rows("webhook_events"), 1);

  // An event an enabled endpoint has not fanned out yet stays.
  enqueue({"c@x.org"});
  purge(clock_.now());
  EXPECT_EQ(rows("webhook_events"), 2);
  // Retention never gives an event id again.
  ASSERT_TRUE(attempt(q[2].id, true));
  fan_out("ep_all");
  fan_out("ep_sent");
  ASSERT_TRUE(attempt(queue("ep_all").back().id, true));
  clock_.advance(1s);
  EXPECT_EQ(purge(clock_.now()).value(), 2u);
  EXPECT_EQ(rows("webhook_events"), 0);
  auto later = enqueue({"d@x.org"});
  auto after = told();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].message, later);
  EXPECT_GT(after[0].id, q[2].event.id + 1);
}

TEST_P(WebhookStoreTest, EverythingSurvivesARestart) {
  create("ep_all");
  create("ep_sent", {"message.sent", "recipient.delivered"});
  ASSERT_TRUE(disable("ep_sent", "by request"));
  auto id = enqueue({"b@x.org"});
  fan_out("ep_all");
  auto first = queue("ep_all").at(0).id;
  ASSERT_TRUE(attempt(first, false, clock_.now() + 60s, 502, "HTTP 502"));

  open();
  auto endpoints = hooks().list_endpoints().value();
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0].id, "ep_all");
  EXPECT_EQ(endpoints[0].url, "https://example.org/hooks/ep_all");
  EXPECT_EQ(endpoints[0].secret, "whsec_c2VjcmV0");
  EXPECT_EQ(endpoints[0].created_at, clock_.now());
  EXPECT_TRUE(endpoints[0].events.empty());
  EXPECT_EQ(endpoints[0].failing_since, clock_.now());
  EXPECT_EQ(endpoints[1].events, (Types{"message.sent", "recipient.delivered"}));
  EXPECT_FALSE(endpoints[1].enabled);
  EXPECT_EQ(endpoints[1].disabled_reason, "by request");
  auto d = hooks().delivery(first).value().value();
  EXPECT_EQ(d.state, WebhookDeliveryState::pending);
  EXPECT_EQ(d.last_status, 502);
  EXPECT_EQ(d.event.type, "message.accepted");
  EXPECT_EQ(d.event.message, id);
  EXPECT_EQ(d.event.status, MessageStatus::queued);

  // The subscriptions are read at open: a change after it is recorded.
  ASSERT_TRUE(cancel(id));
  EXPECT_EQ(fan_out("ep_all"), 1u);
  EXPECT_EQ(types(queue("ep_all")), (Types{"message.accepted", "message.cancelled"}));
}

TEST_P(WebhookStoreTest, TheListenerHearsOfDurableBatchesThatRecordOrMakeDeliveriesDue) {
  std::mutex mu;
  std::condition_variable cv;
  int heard = 0;
  hooks().on_change([&] {
    std::lock_guard lock(mu);
    ++heard;
    cv.notify_all();
  });
  auto wait_for = [&](int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return heard >= n; }) && heard == n;
  };
  enqueue({"a@x.org"});  // no endpoint: nothing to hear
  create("ep_all");      // nothing due yet
  enqueue({"b@x.org"});
  EXPECT_TRUE(wait_for(1));
  EXPECT_EQ(fan_out("ep_all"), 1u);
  EXPECT_TRUE(wait_for(2));
  auto id = queue("ep_all").at(0).id;
  ASSERT_TRUE(attempt(id, true));
  ASSERT_TRUE(redeliver(id));
  EXPECT_TRUE(wait_for(3));
  ASSERT_TRUE(disable("ep_all"));
  ASSERT_TRUE(enable("ep_all"));
  EXPECT_TRUE(wait_for(4));
}

TEST_P(WebhookStoreTest, ALeasedDeliveryIsNotDueUntilItsLeaseEnds) {
  create("ep_all");
  auto m1 = enqueue({"b@x.org"});
  auto m2 = enqueue({"c@x.org"});
  fan_out("ep_all");
  auto first = lease_deliveries(hooks(), "ep_all", "node-a/sender", 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].event.message, m1);
  EXPECT_EQ(first[0].next_attempt_at, clock_.now() + 30s);
  auto d = due("ep_all");  // the other one only
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].event.message, m2);
  auto second = lease_deliveries(hooks(), "ep_all", "node-b/sender");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].event.message, m2);
  EXPECT_TRUE(lease_deliveries(hooks(), "ep_all", "node-b/sender").empty());
  EXPECT_EQ(hooks().next_due("ep_all").value(), clock_.now() + 30s);

  // An attempt ends its lease; one whose sender stopped is due again
  // once its lease ends, for any sender.
  ASSERT_TRUE(attempt(first[0].id, true));
  clock_.advance(30s);
  auto again = lease_deliveries(hooks(), "ep_all", "node-a/sender");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, second[0].id);
  EXPECT_EQ(again[0].attempts, 0);
  // A disabled endpoint's deliveries are not leased.
  clock_.advance(30s);
  ASSERT_TRUE(disable("ep_all"));
  EXPECT_TRUE(lease_deliveries(hooks(), "ep_all", "node-a/sender").empty());
}

// --- Each change that is told of ---

TEST_P(WebhookStoreTest, IntakeTellsOfTheAcceptedMessageAndEachSuppressedRecipient) {
  create("ep_all");
  auto id = enqueue({"b@x.org", "c@x.org", "d@x.org"}, {"c@x.org", "d@x.org"});
  auto e = told();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].type, "message.accepted");
  EXPECT_EQ(e[0].message, id);
  EXPECT_EQ(e[0].recipient, "");
  EXPECT_EQ(e[0].status, MessageStatus::queued);
  EXPECT_EQ(e[0].at, clock_.now());
  EXPECT_EQ(e[0].detail, "via http");
  EXPECT_EQ(e[1].type, "recipient.suppressed");
  EXPECT_EQ(e[1].recipient, "c@x.org");
  EXPECT_EQ(e[1].message, id);
  EXPECT_EQ(e[2].recipient, "d@x.org");
}

TEST_P(WebhookStoreTest, AttemptsTellOfSentDeferredAndFailedButNotOfAPart) {
  create("ep_all", {"message.sent", "message.deferred", "message.failed"});
  auto deferred = enqueue({"b@x.org"});
  auto failed = enqueue({"c@x.org"});
  auto in_parts = enqueue({"d@x.org", "e@x.org"});
  ASSERT_EQ(lease().size(), 3u);
  attempt_of(deferred, MessageStatus::deferred, "transient");
  attempt_of(failed, MessageStatus::failed, "permanent");
  attempt_of(in_parts, MessageStatus::deferred, "ok", false, {"d@x.org"});
  clock_.advance(60s);
  ASSERT_EQ(lease().size(), 2u);
  attempt_of(in_parts, MessageStatus::sent, "ok");
  auto e = told();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].type, "message.deferred");
  EXPECT_EQ(e[0].message, deferred);
  EXPECT_EQ(e[0].status, MessageStatus::deferred);
  EXPECT_EQ(e[0].provider, "mailgun");
  EXPECT_EQ(e[0].failure_class, "transient");
  EXPECT_EQ(e[0].code, "421");
  EXPECT_EQ(e[0].detail, "try later");
  EXPECT_EQ(e[1].type, "message.failed");
  EXPECT_EQ(e[1].message, failed);
  EXPECT_EQ(e[1].status, MessageStatus::failed);
  EXPECT_EQ(e[1].failure_class, "permanent");
  EXPECT_EQ(e[2].type, "message.sent");
  EXPECT_EQ(e[2].message, in_parts);
  EXPECT_EQ(e[2].status, MessageStatus::sent);
}

// At lease (the store) or at the dispatcher (a lease left with nobody).
TEST_P(WebhookStoreTest, AMessageWhoseEveryRecipientIsSuppressedIsToldOfAsFailed) {
  create("ep_all", {"message.failed"});
  auto at_lease = enqueue({"b@x.org"}, {"b@x.org"});
  EXPECT_TRUE(lease().empty());
  auto by_dispatcher = enqueue({"c@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  attempt_of(by_dispatcher, MessageStatus::failed, "suppressed");
  auto e = told();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].message, at_lease);
  EXPECT_EQ(e[0].type, "message.failed");
  EXPECT_EQ(e[0].failure_class, "suppressed");
  EXPECT_EQ(e[0].status, MessageStatus::failed);
  EXPECT_EQ(e[1].message, by_dispatcher);
  EXPECT_EQ(e[1].failure_class, "suppressed");
}

TEST_P(WebhookStoreTest, CancelAndRetryAreToldOf) {
  create("ep_all", {"message.cancelled", "message.retried"});
  auto id = enqueue({"b@x.org"});
  ASSERT_TRUE(cancel(id));
  ASSERT_TRUE(retry(id));
  EXPECT_EQ(cancel(MessageId(12345)).error(), Errc::not_found);
  auto e = told();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].type, "message.cancelled");
  EXPECT_EQ(e[0].status, MessageStatus::cancelled);
  EXPECT_EQ(e[1].type, "message.retried");
  EXPECT_EQ(e[1].status, MessageStatus::queued);
  EXPECT_EQ(e[1].detail, "manual retry from cancelled");
}

TEST_P(WebhookStoreTest, EachProviderReportIsToldOfAsTheRecipientsState) {
  create("ep_all", {"recipient.delivered", "recipient.bounced", "recipient.soft_bounced",
                    "recipient.complained", "recipient.deferred"});
  auto id = sent_message({"b@x.org"}, "mailgun", "<m1@mg>");
  const RecipientEventType all[] = {RecipientEventType::deferred, RecipientEventType::soft_bounced,
                                    RecipientEventType::delivered, RecipientEventType::bounced,
                                    RecipientEventType::complained};
  std::vector<events::ProviderEvent> batch;
  for (auto type : all) {
    batch.push_back(
        event("mailgun", "t" + std::to_string(batch.size()), "<m1@mg>", "B@X.ORG", type));
    clock_.advance(1s);
  }
  record(batch);
  record({batch[0]});  // a duplicate tells nothing
  record({event("mailgun", "unknown", "<other@mg>", "b@x.org", RecipientEventType::delivered)});
  auto e = told();
  ASSERT_EQ(e.size(), 5u);
  for (std::size_t i = 0; i < e.size(); ++i) {
    EXPECT_EQ(e[i].type, "recipient." + std::string(events::to_str(all[i])));
    EXPECT_EQ(e[i].message, id);
    EXPECT_EQ(e[i].recipient, "b@x.org");  // as the envelope spells it
    EXPECT_EQ(e[i].status, MessageStatus::sent);
    EXPECT_EQ(e[i].provider, "mailgun");
    EXPECT_EQ(e[i].at, from_unix_ms(to_unix_ms(batch[i].at)));
    EXPECT_EQ(e[i].detail, batch[i].detail);
  }
}

TEST_P(WebhookStoreTest, AReportAppliedWhenTheSendCallsAnswerNamesItIsToldOfThen) {
  create("ep_all", {"recipient.bounced"});
  auto id = enqueue({"b@x.org"});
  ASSERT_EQ(lease().size(), 1u);
  record({event("mailgun", "t1", "<m1@mg>", "b@x.org", RecipientEventType::bounced)});
  EXPECT_EQ(rows("webhook_events"), 0);
  record_attempt(id, "mailgun", "<m1@mg>");
  auto e = told();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].type, "recipient.bounced");
  EXPECT_EQ(e[0].message, id);
  EXPECT_EQ(e[0].status, MessageStatus::sent);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookStoreTest,
                         ::testing::Values(Backend::sqlite, Backend::postgres));

// Several nodes on one database: each a PostgresStore with its own writer.
class PgWebhookNodesTest : public WebhookStoreTest {
 protected:
  void SetUp() override { set_up(Backend::postgres); }

  std::vector<std::unique_ptr<postgres::PostgresStore>> nodes(int n) {
    std::vector<std::unique_ptr<postgres::PostgresStore>> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(open_pg_node(*pg_, database_, clock_, metrics_));
      EXPECT_TRUE(out.back());
    }
    return out;
  }
};

// SKIP LOCKED: senders leasing at the same time each take deliveries no
// other holds, and together they take them all; nodes fanning out the same
// endpoint at once queue each event once.
TEST_F(PgWebhookNodesTest, NodesLeasingAtOnceNeverTakeTheSameDelivery) {
  constexpr int kNodes = 3, kMessages = 200;
  create("ep_all");
  for (int i = 0; i < kMessages; ++i) enqueue({"m" + std::to_string(i) + "@x.org"});
  auto others = nodes(kNodes);
  {
    std::vector<std::thread> threads;
    for (auto& node : others) {
      threads.emplace_back([&, n = node.get()] {
        for (;;) {
          auto r = await_completion<std::size_t>(
              [&](auto done) { n->webhooks().fan_out("ep_all", clock_.now(), 7, done); });
          if (!r || *r == 0) return;
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  ASSERT_EQ(queue("ep_all").size(), static_cast<std::size_t>(kMessages));

  std::vector<std::vector<std::int64_t>> taken(kNodes);
  std::vector<std::thread> threads;
  for (int n = 0; n < kNodes; ++n) {
    threads.emplace_back([&, n] {
      for (;;) {
        auto got = lease_deliveries(others[n]->webhooks(), "ep_all", "node" + std::to_string(n), 7);
        if (got.empty()) return;
        for (const auto& d : got) taken[n].push_back(d.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::int64_t> all;
  std::size_t total = 0;
  for (const auto& t : taken) {
    total += t.size();
    all.insert(t.begin(), t.end());
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kMessages));  // none taken twice
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages));
  EXPECT_TRUE(due("ep_all").empty());
}

// An endpoint made through one node is told of what another node records:
// that node learns of it by a notification (LISTEN/NOTIFY), which arrives a
// moment after the commit, so its changes are looked for a bounded while.
TEST_F(PgWebhookNodesTest, AnEndpointMadeOnOneNodeIsToldOfAnothersChanges) {
  auto other = std::move(nodes(1).at(0));
  ASSERT_TRUE(other);
  test_calls::enqueue(*other, {"a@x.org"});  // its writer has read the subscriptions: none
  create("ep_all");
  std::vector<WebhookEvent> events;
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       events.empty() && std::chrono::steady_clock::now() < deadline;) {
    auto id = test_calls::enqueue(*other, {"b@x.org"});
    events = told();
    if (!events.empty()) {
      EXPECT_EQ(events.back().message, id);
    }
  }
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].type, "message.accepted");
}

}  // namespace
}  // namespace postern::store
