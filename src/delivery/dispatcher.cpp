#include "delivery/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>

#include "core/utf8.h"
#include "delivery/attempt_decision.h"
#include "net/async_callback.h"
#include "net/io_runtime.h"

namespace postern::delivery {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using providers::FailureClass;

namespace {

// How often held messages look for a free provider when nothing else
// (an answer, a rate limit's next token) wakes them first.
constexpr auto kHoldPoll = std::chrono::milliseconds(100);

// The longest provider text kept in an event: enough for any real reason.
constexpr std::size_t kMaxDetailBytes = 1024;

struct Attempt {
  store::LeasedMessage lease;  // content moved into `message`
  std::shared_ptr<const providers::OutboundMessage> message;
  std::vector<std::string> avoid;  // the previous attempt's provider: elsewhere first
  std::chrono::steady_clock::time_point started;
  std::shared_ptr<routing::ProviderSlot> slot;  // the picked provider, until its answer is reported
  std::string direct_provider;  // caught mail: the capture provider's name, not routed
  // Set when `message` carries only the first part of the recipients
  // waiting: how many there are in all.
  std::size_t recipients_waiting = 0;
  InflightCharge charge;  // the content's, until the attempt is done with
};

using AttemptPtr = std::shared_ptr<Attempt>;

// The outcome of an attempt that never reached a provider.
providers::SendResult unsent(FailureClass failure_class, std::string code, std::string detail) {
  providers::SendResult r;
  r.failure_class = failure_class;
  r.code = std::move(code);
  r.detail = std::move(detail);
  return r;
}

}  // namespace

struct Dispatcher::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::IoRuntime& io, store::Store& store, routing::Router& router, OutcomeWaiters* waiters,
       MetricsRegistry& metrics, const Clock& clock, DispatcherOptions options)
      : context(io.context(io.size() - 1)),
        store(store),
        router(router),
        waiters(waiters),
        clock(clock),
        options(std::move(options)),
        retry(this->options.retry, std::random_device{}()),
        wake_timer(context),
        hold_timer(context),
        housekeeping_timer(context),
        in_flight_gauge(
            metrics.gauge("postern_delivery_in_flight", "Messages leased and being attempted")),
        delivery_seconds(metrics.histogram("postern_delivery_seconds",
                                           "Time from acceptance to the provider's acceptance",
                                           latency_buckets_seconds())),
        outcomes(metrics.counter("postern_delivery_outcomes_total", "Attempts by resulting status",
                                 {{"status", "sent"}})),
        deferred(metrics.counter("postern_delivery_outcomes_total", "Attempts by resulting status",
                                 {{"status", "deferred"}})),
        failed(metrics.counter("postern_delivery_outcomes_total", "Attempts by resulting status",
                               {{"status", "failed"}})),
        parts(metrics.counter("postern_delivery_outcomes_total", "Attempts by resulting status",
                              {{"status", "part"}})),
        lost_leases(metrics.counter("postern_delivery_lost_leases_total",
                                    "Attempts whose lease had expired when they were recorded")) {}

  // Everything below runs on `context`'s single thread, so it needs no locks.
  asio::io_context& context;
  store::Store& store;
  routing::Router& router;
  OutcomeWaiters* waiters;
  const Clock& clock;
  DispatcherOptions options;
  RetryPolicy retry;
  asio::steady_timer wake_timer;
  asio::steady_timer hold_timer;
  asio::steady_timer housekeeping_timer;
  // Messages waiting for a busy provider, by the router's pool id, oldest
  // first. Counted in in_flight: they hold a place in the window.
  std::vector<std::deque<AttemptPtr>> held_by_pool;
  std::atomic<std::size_t> held_count{0};
  std::chrono::steady_clock::time_point hold_wake = std::chrono::steady_clock::time_point::max();
  std::atomic<bool> wake_pending{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<int> loops_running{0};
  // stop() sleeps on `stopped` until nothing is in flight and the loops have
  // ended; whatever brings those counts down wakes it (settled()).
  std::mutex stop_mu;
  std::condition_variable stopped;
  Gauge& in_flight_gauge;
  Histogram& delivery_seconds;
  Counter& outcomes;
  Counter& deferred;
  Counter& failed;
  Counter& parts;  // parts of messages sent in parts, the last one excepted
  Counter& lost_leases;
  std::shared_ptr<providers::Provider> capture;  // caught mail's only way out
  store::EventStore* suppressions = nullptr;     // takes providers' inactive recipients
  AttemptObserver observer;                      // the dashboard's figures; may be empty
  InflightBudget* budget = nullptr;              // limits.inflight_bytes; null: none

  // Called after in_flight or loops_running went down. Only stop() waits,
  // and it sets `stopping` before it first reads the counts: a decrement
  // that still reads `stopping` as false is one stop() sees (both atomics
  // are sequentially consistent), so no wake-up is lost and the common case
  // takes no lock.
  void settled() {
    if (!stopping) return;
    std::lock_guard lock(stop_mu);
    stopped.notify_all();
  }

  void signal() {
    if (!wake_pending.exchange(true)) {
      asio::post(context, [self = shared_from_this()] { self->wake_timer.cancel(); });
    }
  }

  awaitable<void> lease_loop() {
    auto self = shared_from_this();
    {
      // This node's leases from before its restart, and expired ones; the
      // live leases of other nodes sharing the store stay theirs.
      auto n = co_await net::async_callback<Result<std::size_t>>(
          [this](auto done) { store.reclaim_leases(options.owner, clock.now(), std::move(done)); });
      if (n && *n > 0) {
        spdlog::info(
            "delivery: {} messages leased before this node restarted (or whose lease expired) are "
            "queued again",
            *n);
      }
    }
    while (!stopping) {
      bool more = false;
      auto want = std::min(options.window - in_flight, options.lease_batch);
      auto limits = want > 0 ? lease_limits(want) : std::nullopt;
      if (limits) {
        auto leased =
            co_await net::async_callback<Result<std::vector<store::LeasedMessage>>>([&](auto done) {
              store.lease(options.owner, clock.now(), options.lease, *limits, std::move(done));
            });
        if (leased) {
          for (auto& m : *leased) start_attempt(std::move(m));
          // A lease the byte cap cut short waits for content to be released.
          more = leased->size() == want;
        } else if (leased.error() != Errc::shutting_down) {
          spdlog::warn("delivery: cannot lease messages: {}", leased.error().message());
        }
      }
      if (more && in_flight < options.window) continue;
      if (!wake_pending.exchange(false)) {
        wake_timer.expires_after(options.poll_interval);
        co_await wake_timer.async_wait(asio::as_tuple(use_awaitable));
        wake_pending = false;
      }
    }
  }

  awaitable<void> housekeeping() {
    auto self = shared_from_this();
    auto last_reclaim = std::chrono::steady_clock::now();
    auto last_expiry = last_reclaim;
    while (!stopping) {
      housekeeping_timer.expires_after(std::chrono::milliseconds(100));
      co_await housekeeping_timer.async_wait(asio::as_tuple(use_awaitable));
      if (stopping) break;
      auto now = std::chrono::steady_clock::now();
      if (waiters) waiters->expire(now);
      if (now - last_reclaim >= options.lease / 4) {
        last_reclaim = now;
        // On every node, not only the one that leads: a cheap query, and
        // a node whose lease expired gets its mail sent soonest by whoever
        // looks first.
        auto n = co_await net::async_callback<Result<std::size_t>>(
            [this](auto done) { store.reclaim_leases("", clock.now(), std::move(done)); });
        if (n && *n > 0) {
          spdlog::warn("delivery: {} expired leases reclaimed", *n);
          signal();
        }
      }
      // Once per cluster: the node that leads the jobs (cluster_link.h).
      if (now - last_expiry >= std::chrono::minutes(10) && store.cluster().leads()) {
        last_expiry = now;
        co_await net::async_callback<Result<std::size_t>>([this](auto done) {
          store.expire_idempotency_keys(clock.now() - std::chrono::hours(24), std::move(done));
        });
      }
    }
  }

  // What the next lease may take: `count` messages, and of the budget for
  // content in flight (limits.inflight_bytes) half the room left; the
  // other half is for what sending builds from that content, the request
  // bodies of the HTTP API providers, about as large
  // (providers/common/request_budget.h). While attempts are in flight,
  // nothing that does not fit (they release room as they end: nullopt
  // when none is left); with none, the first message whatever its size,
  // so that delivery always moves and a message larger than the budget
  // goes, alone.
  std::optional<store::LeaseLimits> lease_limits(std::size_t count) const {
    if (!budget || budget->limit() == 0) return store::LeaseLimits(count);
    bool alone = in_flight == 0;
    auto bytes = budget->room() / 2;
    if (bytes == 0 && !alone) return std::nullopt;
    return store::LeaseLimits(count, bytes, alone);
  }

  void start_attempt(store::LeasedMessage lease) {
    in_flight_gauge.set(static_cast<double>(++in_flight));
    auto a = std::make_shared<Attempt>();
    a->charge = InflightCharge(budget);
    a->charge.force_grow(lease.content.size());
    auto message = std::make_shared<providers::OutboundMessage>(
        lease.id, lease.format, std::move(lease.content), std::move(lease.envelope),
        std::move(lease.tags), lease.created_at);
    message->set_catch_account(lease.catch_account);
    a->message = std::move(message);
    a->lease = std::move(lease);
    a->started = std::chrono::steady_clock::now();
    if (a->lease.catch_account != 0) return catch_message(a);
    // The store left out the recipients on the suppression list; with none
    // left there is nobody to send to, and no provider is asked.
    if (a->message->envelope().recipients.empty()) {
      return record(a, "", unsent(FailureClass::permanent, std::string(kSuppressedClass), ""),
                    decide_all_suppressed());
    }
    if (!a->lease.last_provider.empty()) a->avoid.push_back(a->lease.last_provider);
    take_a_part(*a);
    auto busy = dispatch(a);
    if (busy) hold(a, *busy);
  }

  // Caught mail (a test account's) goes to the capture provider alone:
  // never routed, so never relayed, and it counts against no provider's
  // limits or health.
  void catch_message(const AttemptPtr& a) {
    if (!capture) {
      return finish(a, unsent(FailureClass::transient, "no_capture",
                              "the message is caught for a test account but this node files no "
                              "caught mail"));
    }
    a->direct_provider = capture->name();
    capture->send(a->message, net::run_on(context.get_executor(),
                                          [self = shared_from_this(), a](providers::SendResult r) {
                                            self->finish(a, std::move(r));
                                          }));
  }

  // A message with more recipients than any provider of its pool takes in
  // one send goes in parts (as Postfix splits by a relay's recipient limit):
  // this attempt carries the first recipients, and finish() settles them
  // and makes the message due again at once for the rest.
  void take_a_part(Attempt& a) {
    auto per_send = router.recipients_per_send(*a.message);
    const auto& waiting = a.message->envelope().recipients;
    if (per_send == 0 || waiting.size() <= per_send) return;
    a.recipients_waiting = waiting.size();
    a.message = a.message->for_recipients(
        {waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(per_send)});
  }

  // Sends the attempt, or finishes it (deferred) when no provider of its
  // pool is healthy. Returns the pick when every healthy provider is busy:
  // the caller holds the message in memory.
  std::optional<routing::Pick> dispatch(const AttemptPtr& a) {
    auto pick = router.pick(*a->message, a->avoid);
    switch (pick.status) {
      case routing::PickStatus::picked: {
        a->slot = pick.slot;
        auto* provider = &pick.provider();
        provider->send(a->message,
                       net::run_on(context.get_executor(),
                                   [self = shared_from_this(), a](providers::SendResult r) {
                                     self->answered(a, std::move(r));
                                   }));
        return std::nullopt;
      }
      case routing::PickStatus::unavailable: {
        finish(a, unsent(FailureClass::transient, "no_provider",
                         "no provider can take this message now"));
        return std::nullopt;
      }
      case routing::PickStatus::unfit: {
        finish(a, unsent(FailureClass::permanent, "no_provider_fits",
                         "the message is larger (or has more recipients) than every provider of "
                         "its pool accepts"));
        return std::nullopt;
      }
      case routing::PickStatus::busy:
        break;
    }
    if (std::chrono::steady_clock::now() - a->started >= options.max_hold) {
      // Busy for too long: back to the store rather than hold a lease.
      auto busy = unsent(FailureClass::transient, "provider_busy",
                         "every provider of the pool stayed at its rate limit or concurrency cap");
      if (pick.retry_at != SteadyTime::max()) {
        busy.retry_after =
            std::chrono::ceil<std::chrono::milliseconds>(pick.retry_at - clock.steady_now());
      }
      finish(a, std::move(busy));
      return std::nullopt;
    }
    return pick;
  }

  void hold(const AttemptPtr& a, const routing::Pick& pick) {
    if (held_by_pool.size() <= pick.pool) held_by_pool.resize(pick.pool + 1);
    held_by_pool[pick.pool].push_back(a);
    ++held_count;
    arm_hold(pick);
  }

  // The hold loop wakes at the next token of a rate limit, and at least
  // every kHoldPoll (a provider may come back, or be resumed).
  void arm_hold(const routing::Pick& pick) {
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(kHoldPoll);
    if (pick.retry_at != SteadyTime::max()) {
      auto until = std::chrono::ceil<std::chrono::milliseconds>(pick.retry_at - clock.steady_now());
      delay = std::clamp(until, std::chrono::milliseconds(1), delay);
    }
    auto at = std::chrono::steady_clock::now() + delay;
    if (at < hold_wake) {
      hold_wake = at;
      hold_timer.cancel();
    }
  }

  // Gives held messages, oldest first, to providers that have room again;
  // each pool stops at its first message that is still busy.
  void drain_held() {
    for (auto& queue : held_by_pool) {
      while (!queue.empty()) {
        auto a = queue.front();
        auto busy = dispatch(a);
        if (busy) {
          arm_hold(*busy);
          break;
        }
        queue.pop_front();
        --held_count;
      }
    }
  }

  awaitable<void> hold_loop() {
    auto self = shared_from_this();
    while (!stopping) {
      hold_timer.expires_at(hold_wake);
      co_await hold_timer.async_wait(asio::as_tuple(use_awaitable));
      if (stopping) break;
      if (std::chrono::steady_clock::now() < hold_wake) continue;  // re-armed earlier or later
      hold_wake = std::chrono::steady_clock::time_point::max();
      if (held_count > 0) drain_held();
    }
  }

  void answered(const AttemptPtr& a, providers::SendResult r) {
    if (r.latency.count() == 0) {
      r.latency = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - a->started);
    }
    router.report(*a->slot, r);
    finish(a, std::move(r));
    if (held_count > 0) drain_held();  // the answer freed a place at that provider
  }

  // Decides what the answer means for the message (attempt_decision.h),
  // then records it.
  void finish(const AttemptPtr& a, providers::SendResult r) {
    // The name, not the provider: a removed provider may go with the slot.
    std::string provider = a->slot ? a->slot->name() : a->direct_provider;
    a->slot.reset();
    AttemptFacts facts{
        .failure_class = r.failure_class,
        .code = r.code,
        // What a provider said is kept in the message's events: bounded
        // here, whatever the provider (or a relay's thousand-line reply) sent.
        .detail = clip_utf8(r.detail, kMaxDetailBytes),
        .retry_after = r.retry_after,
        .settled_recipients = std::move(r.settled_recipients),
        .refused_recipients = std::move(r.refused_recipients),
        .provider = provider,
        .recipients = a->message->envelope().recipients,
        .recipients_waiting = a->recipients_waiting,
        .attempts_before = a->lease.attempts,
        .window_start = a->lease.window_start,
        .now = clock.now(),
    };
    auto decision = decide_attempt(std::move(facts), retry, [this, &a](const std::string& tried) {
      // Caught mail has no alternative to its capture provider.
      return a->direct_provider.empty() && router.has_alternative(*a->message, {&tried, 1});
    });
    if (decision.verdict == AttemptVerdict::quarantined) {
      spdlog::error("delivery: message {} cannot be decoded and is quarantined: {}",
                    a->lease.id.to_string(), r.detail);
    }
    if (!r.inactive_recipients.empty()) suppress_inactive(a->lease.id, provider, r);
    record(a, std::move(provider), r, std::move(decision));
  }

  // A provider's own suppression list refused these recipients: Postern's
  // list takes them too, so later mail leaves them out before any provider
  // is asked. Not waited for: the attempt is recorded either way.
  void suppress_inactive(const MessageId& id, const std::string& provider,
                         const providers::SendResult& r) {
    if (!suppressions) return;
    std::vector<store::Suppression> entries;
    for (const auto& address : r.inactive_recipients) {
      entries.push_back(
          {address, "inactive", provider, id, clip_utf8(r.detail, kMaxDetailBytes), clock.now()});
    }
    suppressions->add_suppressions(std::move(entries), [id](Result<std::size_t> added) {
      if (!added) {
        spdlog::warn(
            "delivery: cannot put the inactive recipients of {} on the suppression list: {}",
            id.to_string(), added.error().message());
      }
    });
  }

  // Stores the attempt's event and the message's next status; metrics and
  // sync waiters follow once it is stored (recorded()).
  void record(const AttemptPtr& a, std::string provider, const providers::SendResult& r,
              AttemptDecision decision) {
    // Sending is over: the content is let go with the attempt, and its
    // budget is free for the next lease (counted before in_flight drops).
    a->charge.reset();
    store::AttemptRecord rec;
    rec.id = a->lease.id;
    rec.next_status = decision.next_status;
    rec.next_attempt_at = decision.next_attempt_at;
    rec.provider = std::move(provider);
    rec.failure_class = std::string(decision.failure_class.empty() ? to_string(r.failure_class)
                                                                   : decision.failure_class);
    rec.code = clip_utf8(r.code, 128);
    rec.detail = std::move(decision.detail);
    rec.provider_message_id = clip_utf8(r.provider_message_id, 256);
    rec.settled_recipients = std::move(decision.settled_recipients);
    rec.refused_recipients = std::move(decision.refused_recipients);
    rec.counts_as_attempt = decision.counts_as_attempt;
    rec.latency = r.latency.count() > 0 ? r.latency
                                        : std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::steady_clock::now() - a->started);
    Outcome outcome{rec.next_status,   rec.provider, rec.provider_message_id,
                    rec.failure_class, rec.code,     rec.detail};
    stats::AttemptSeen seen{rec.provider, rec.failure_class == "ok", rec.latency, rec.next_status};
    store.record_attempt(
        options.owner, std::move(rec),
        net::run_on(context.get_executor(),
                    [self = shared_from_this(), id = a->lease.id, outcome = std::move(outcome),
                     verdict = decision.verdict, created_at = a->lease.created_at,
                     seen = std::move(seen)](Result<void> res) {
                      self->recorded(id, outcome, verdict, created_at, res);
                      if (res && self->observer) self->observer(id, seen);
                    }));
  }

  void recorded(MessageId id, const Outcome& outcome, AttemptVerdict verdict, SystemTime created_at,
                const Result<void>& res) {
    in_flight_gauge.set(static_cast<double>(--in_flight));
    settled();
    if (!res) {
      if (res.error() == Errc::not_found) {
        lost_leases.inc();  // reclaimed meanwhile; it will be attempted again
      } else {
        spdlog::warn("delivery: cannot record the attempt of {}: {}", id.to_string(),
                     res.error().message());
      }
    } else {
      switch (verdict) {
        case AttemptVerdict::sent:
          outcomes.inc();
          delivery_seconds.observe(std::chrono::duration<double>(clock.now() - created_at).count());
          break;
        case AttemptVerdict::part_done:
          parts.inc();
          break;
        case AttemptVerdict::retry:
          deferred.inc();
          break;
        case AttemptVerdict::failed:
        case AttemptVerdict::quarantined:
          failed.inc();
          break;
      }
      if (waiters && is_final(outcome.status)) waiters->notify(id, outcome);
      if (outcome.status == MessageStatus::deferred) signal();  // a retry elsewhere may be due now
    }
    // Room in the window: lease more.
    wake_pending = true;
    wake_timer.cancel();
  }
};

Dispatcher::Dispatcher(net::IoRuntime& io, store::Store& store, routing::Router& router,
                       OutcomeWaiters* waiters, MetricsRegistry& metrics, const Clock& clock,
                       DispatcherOptions options)
    : impl_(
          std::make_shared<Impl>(io, store, router, waiters, metrics, clock, std::move(options))) {}

Dispatcher::~Dispatcher() { stop(std::chrono::milliseconds(0)); }

void Dispatcher::start(bool deliver) {
  auto track = [impl = impl_](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::critical("delivery: dispatcher loop failed: {}", ex.what());
      }
    }
    --impl->loops_running;
    impl->settled();
  };
  impl_->loops_running = deliver ? 3 : 1;
  if (deliver) {
    asio::co_spawn(impl_->context, impl_->lease_loop(), track);
    asio::co_spawn(impl_->context, impl_->hold_loop(), track);
  }
  asio::co_spawn(impl_->context, impl_->housekeeping(), track);
}

void Dispatcher::catch_with(std::shared_ptr<providers::Provider> capture) {
  impl_->capture = std::move(capture);
}

void Dispatcher::observe_with(AttemptObserver observer) { impl_->observer = std::move(observer); }

void Dispatcher::suppress_with(store::EventStore& suppressions) {
  impl_->suppressions = &suppressions;
}

void Dispatcher::charge_content_to(InflightBudget& budget) { impl_->budget = &budget; }

void Dispatcher::wake() { impl_->signal(); }

void Dispatcher::stop(std::chrono::milliseconds grace) {
  if (impl_->stopping.exchange(true)) return;
  // Held messages stay leased: the next start reclaims them.
  asio::post(impl_->context, [impl = impl_] {
    impl->wake_timer.cancel();
    impl->hold_timer.cancel();
    impl->housekeeping_timer.cancel();
    for (auto& queue : impl->held_by_pool) {
      impl->in_flight -= queue.size();
      impl->held_count -= queue.size();
      queue.clear();
    }
    impl->in_flight_gauge.set(static_cast<double>(impl->in_flight));
    impl->settled();
  });
  {
    std::unique_lock lock(impl_->stop_mu);
    impl_->stopped.wait_for(lock, grace,
                            [&] { return impl_->in_flight == 0 && impl_->loops_running == 0; });
  }
  if (impl_->in_flight > 0) {
    spdlog::warn(
        "delivery: {} attempts still in flight at shutdown; their leases expire and they are "
        "retried",
        impl_->in_flight.load());
  }
}

std::size_t Dispatcher::in_flight() const { return impl_->in_flight; }

std::size_t Dispatcher::held() const { return impl_->held_count; }

}  // namespace postern::delivery
