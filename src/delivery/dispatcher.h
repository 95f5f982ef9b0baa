// The dispatcher (Postfix's qmgr): leases due messages from the store into a
// bounded active window, hands each to the provider the router picks,
// records every attempt as an event and moves the message on (sent,
// deferred with back-off, failed). A message whose providers are only busy
// (rate limit, concurrency cap) waits in memory for a free one instead of
// going back to the store. Leases expire, so a crashed node's messages come
// back: to itself at its restart, to any node after the lease time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/inflight_budget.h"
#include "core/metrics.h"
#include "delivery/outcome_waiters.h"
#include "delivery/retry_policy.h"
#include "routing/router.h"
#include "stats/traffic_stats.h"
#include "store/event_store.h"
#include "store/store.h"

namespace postern::net {
class IoRuntime;
}

namespace postern::delivery {

struct DispatcherOptions {
  // Lease owner: this node's name, unique among the nodes sharing the
  // store (store::ClusterLink::join). Its leases from before a restart are
  // reclaimed at start.
  std::string owner = "node";
  std::size_t window = 1024;      // messages in flight at once
  std::size_t lease_batch = 256;  // messages per lease call
  std::chrono::seconds lease{120};
  std::chrono::milliseconds poll_interval{500};
  // Longest wait in memory for a busy provider; then the message is
  // deferred to the store. Keep it well under `lease`.
  std::chrono::milliseconds max_hold{10000};
  RetryOptions retry;
};

// Told of each attempt once it is stored (the dashboard's figures and live
// events, stats/), on the dispatcher's thread: it must be quick.
using AttemptObserver = std::function<void(MessageId, const stats::AttemptSeen&)>;

class Dispatcher {
 public:
  Dispatcher(net::IoRuntime& io, store::Store& store, routing::Router& router,
             OutcomeWaiters* waiters, MetricsRegistry& metrics, const Clock& clock,
             DispatcherOptions options);
  ~Dispatcher();

  // The provider that files caught mail (a message with a catch account,
  // store.h) into the test inbox: such mail goes there directly, never
  // through the router, whatever the routing says. Set before start();
  // without one, caught mail is deferred rather than relayed.
  void catch_with(std::shared_ptr<providers::Provider> capture);

  // Where recipients a provider refused as inactive on its own list
  // (SendResult::inactive_recipients, Postmark's ErrorCode 406) are put on
  // the suppression list, with reason `inactive`, when the attempt is
  // recorded. Set before start(); without it they are only refused.
  void suppress_with(store::EventStore& suppressions);

  // Set before start(); without one, nobody is told.
  void observe_with(AttemptObserver observer);

  // Charges leased content to `budget` (limits.inflight_bytes) until its
  // attempt is done, and leases no more than half the room the budget has
  // left (store::LeaseLimits; the other half for the requests built from
  // it), but for one message when nothing else is being sent.
  // Set before start(); `budget` must outlive the dispatcher.
  void charge_content_to(InflightBudget& budget);

  // Starts the periodic housekeeping (lease reclaim, expiry of sync waits
  // and idempotency keys) and, when `deliver` is set, leasing and sending.
  void start(bool deliver);
  // New mail is durable: look at the queue now rather than at the next poll.
  // Thread-safe, cheap.
  void wake();
  // Stops leasing, waits up to `grace` for attempts in flight to be recorded.
  // What is still leased afterwards is reclaimed on the next start.
  void stop(std::chrono::milliseconds grace);

  // Messages leased and not yet recorded (held ones included).
  std::size_t in_flight() const;
  // Messages waiting in memory for a busy provider.
  std::size_t held() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::delivery
