#include "events/webhook_sender.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <mutex>
#include <set>

#include "core/time_format.h"
#include "events/webhook_attempt.h"
#include "events/webhook_payload.h"
#include "events/webhook_signature.h"
#include "net/io_runtime.h"

namespace postern::events {
namespace asio = boost::asio;

namespace {

// Events one fan_out turns into deliveries: one short write transaction.
constexpr std::size_t kFanOutBatch = 500;
// When a store read fails (busy, closing), the next look.
constexpr auto kReadRetry = std::chrono::seconds(1);
// Beyond an attempt's timeout: its outcome still has to be committed.
constexpr auto kLeaseMargin = std::chrono::seconds(10);

}  // namespace

struct WebhookSender::Impl : std::enable_shared_from_this<Impl> {
  // What is under way for one endpoint.
  struct EndpointWork {
    bool fanning_out = false;
    bool leasing = false;
    bool disabling = false;
    std::size_t in_flight = 0;
    std::set<std::string> messages;  // messages with an attempt in flight: one at a time each
    std::string last_error;          // of its last failed attempt, for the disable reason
  };

  Impl(net::IoRuntime& io, store::WebhookStore& store, std::string node, WebhookPoster post,
       const Clock& clock, MetricsRegistry& metrics, WebhookSenderOptions options)
      : context(io.next()),
        timer(context),
        store(store),
        node(std::move(node)),
        post(std::move(post)),
        clock(clock),
        options(std::move(options)),
        delivered(metrics.counter("postern_webhook_deliveries_total",
                                  "Webhook delivery attempts by result",
                                  {{"result", "delivered"}})),
        retried(metrics.counter("postern_webhook_deliveries_total",
                                "Webhook delivery attempts by result", {{"result", "retry"}})),
        failed(metrics.counter("postern_webhook_deliveries_total",
                               "Webhook delivery attempts by result", {{"result", "failed"}})),
        disabled(metrics.counter("postern_webhook_endpoints_disabled_total",
                                 "Endpoints the sender disabled (failing too long, 410 Gone)")),
        in_flight(metrics.gauge("postern_webhook_in_flight", "Webhook attempts in flight")),
        oldest_due(metrics.gauge(
            "postern_webhook_oldest_due_seconds",
            "Age of the oldest webhook delivery due and not yet sent (0: none waiting)")) {}

  asio::io_context& context;
  asio::steady_timer timer;
  store::WebhookStore& store;
  const std::string node;  // the leases' owner
  WebhookPoster post;
  const Clock& clock;
  WebhookSenderOptions options;
  Counter& delivered;
  Counter& retried;
  Counter& failed;
  Counter& disabled;
  Gauge& in_flight;
  Gauge& oldest_due;

  // Held by every handler and by stop(): once stop() returns, none runs.
  std::mutex run_mu;
  bool stopping = false;     // guarded by run_mu
  bool pass_posted = false;  // on the context only
  std::set<std::int64_t> deliveries_in_flight;
  std::map<std::string, EndpointWork> work;

  // Runs `f` on the context unless stopped.
  template <class F>
  void on_context(F f) {
    asio::post(context, [self = shared_from_this(), f = std::move(f)]() mutable {
      std::lock_guard lock(self->run_mu);
      if (!self->stopping) f(*self);
    });
  }

  void schedule_pass() {
    if (pass_posted) return;
    pass_posted = true;
    on_context([](Impl& self) { self.pass(); });
  }

  void pass() {
    pass_posted = false;
    auto now = clock.now();
    auto endpoints = store.list_endpoints();
    if (!endpoints) {
      spdlog::warn("webhooks: cannot read the endpoints: {}", endpoints.error().message());
      return arm(now + kReadRetry, now);
    }
    std::optional<SystemTime> next;
    auto earliest = [&next](SystemTime t) {
      if (!next || t < *next) next = t;
    };
    double oldest = 0;
    for (const auto& ep : *endpoints) {
      if (!ep.enabled) continue;
      auto& w = work[ep.id];
      if (ep.failing_since != SystemTime{}) {
        auto limit = ep.failing_since + options.disable_after;
        if (now >= limit) {
          disable(ep.id, now,
                  "failing since " + format_rfc3339(ep.failing_since) + ": " +
                      (w.last_error.empty() ? std::string("attempts failed") : w.last_error));
          continue;
        }
        earliest(limit);
      }
      fan_out(ep.id, now);
      if (auto age = send_due(ep, w, now)) oldest = std::max(oldest, *age);
      // next_due counts only each message's first pending delivery, so it
      // is when the next one may go (webhook_store.h).
      auto due = store.next_due(ep.id);
      if (!due) {
        earliest(now + kReadRetry);
      } else if (*due && **due > now) {
        earliest(**due);
      } else if (*due && w.in_flight == 0) {
        // Due but none in flight: a read failed, or a lease is under way
        // (which may fail, or find that another node took them). Look
        // again later rather than spin. With attempts in flight, each
        // one's end looks again.
        earliest(now + kReadRetry);
      }
    }
    oldest_due.set(oldest);
    if (next) arm(*next, now);
  }

  static constexpr auto kMinTimer = std::chrono::milliseconds(1);

  void arm(SystemTime at, SystemTime now) {
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::max(at - now, SystemTime::duration(kMinTimer))));
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;  // re-armed or stopped
      std::lock_guard lock(self->run_mu);
      if (!self->stopping) self->schedule_pass();
    });
  }

  void fan_out(const std::string& id, SystemTime now) {
    auto& w = work[id];
    if (w.fanning_out) return;
    w.fanning_out = true;
    store.fan_out(id, now, kFanOutBatch, [self = shared_from_this(), id](Result<std::size_t> n) {
      self->on_context([id, n](Impl& s) {
        s.work[id].fanning_out = false;
        if (!n) {
          spdlog::warn("webhooks: cannot queue events to endpoint {}: {}", id, n.error().message());
          return;
        }
        // A full batch leaves more behind; new deliveries are announced by
        // on_change, but look at once rather than rely on it.
        if (*n > 0) s.schedule_pass();
      });
    });
  }

  // Leases the endpoint's due deliveries its free slots allow, to send
  // them when the lease is committed; answers the age in seconds of its
  // oldest due delivery, if any. A read first: most passes find nothing
  // due, and then write nothing.
  std::optional<double> send_due(const store::WebhookEndpoint& ep, EndpointWork& w,
                                 SystemTime now) {
    auto due = store.due_deliveries(ep.id, now, 1);
    if (!due) {
      spdlog::warn("webhooks: cannot read the deliveries of endpoint {}: {}", ep.id,
                   due.error().message());
      return std::nullopt;
    }
    if (due->empty()) return std::nullopt;
    auto age = std::chrono::duration<double>(now - due->front().created_at).count();
    if (w.leasing || w.in_flight >= options.max_in_flight) return age;
    w.leasing = true;
    store.lease_deliveries(
        ep.id, node, now, webhook_lease(options), options.max_in_flight - w.in_flight,
        [self = shared_from_this(),
         ep](Result<std::vector<store::WebhookDelivery>> leased) mutable {
          self->on_context([ep = std::move(ep), leased = std::move(leased)](Impl& s) mutable {
            s.start_leased(ep, std::move(leased));
          });
        });
    return age;
  }

  void start_leased(const store::WebhookEndpoint& ep,
                    Result<std::vector<store::WebhookDelivery>> leased) {
    auto& w = work[ep.id];
    w.leasing = false;
    if (!leased) {
      // The pass that asked looks again a moment later (kReadRetry).
      spdlog::warn("webhooks: cannot lease the deliveries of endpoint {}: {}", ep.id,
                   leased.error().message());
      return;
    }
    auto now = clock.now();
    for (auto& d : *leased) {
      auto message = d.event.message.to_string();
      // Only once its lease ended while its attempt was still out (an
      // attempt outliving webhook_lease): let that one finish.
      if (deliveries_in_flight.contains(d.id) || w.messages.contains(message)) continue;
      send(ep, w, std::move(d), std::move(message), now);
    }
  }

  void send(const store::WebhookEndpoint& ep, EndpointWork& w, store::WebhookDelivery d,
            std::string message, SystemTime now) {
    auto body = webhook_payload(d.event);
    auto stamp = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    auto headers = webhook_headers(ep.secret, d.event.id, stamp, body);
    if (!headers) {
      // Secrets are made here and kept in the store: a bad one is damage.
      spdlog::error("webhooks: endpoint {} has an unusable secret; not sending", ep.id);
      return;
    }
    net::HttpClientRequest request;
    request.method = "POST";
    request.url = ep.url;
    request.headers = std::move(*headers);
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
    request.timeout = options.timeout;
    deliveries_in_flight.insert(d.id);
    w.messages.insert(message);
    ++w.in_flight;
    in_flight.add(1);
    auto start = clock.steady_now();
    post(std::move(request),
         [self = shared_from_this(), id = ep.id, url = ep.url, d = std::move(d),
          message = std::move(message), start](Result<net::HttpClientResponse> answer) mutable {
           self->on_context([id = std::move(id), url = std::move(url), d = std::move(d),
                             message = std::move(message), start,
                             answer = std::move(answer)](Impl& s) mutable {
             s.finished(id, url, std::move(d), std::move(message), start, answer);
           });
         });
  }

  void finished(const std::string& id, const std::string& url, store::WebhookDelivery d,
                std::string message, SteadyTime start,
                const Result<net::HttpClientResponse>& answer) {
    auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(clock.steady_now() - start);
    auto outcome = webhook_attempt_outcome(options, d, answer, clock.now(), latency);
    (outcome.attempt.delivered ? delivered : outcome.attempt.retry_at ? retried : failed).inc();
    auto& w = work[id];
    if (!outcome.attempt.delivered) w.last_error = outcome.attempt.error;
    if (outcome.gone && options.disable_on_gone)
      disable(id, outcome.attempt.at,
              "410 Gone from " + url + " at " + format_rfc3339(outcome.attempt.at));
    // The delivery stays in flight until its outcome is durable: else the
    // next pass would find it still due and send it twice.
    store.record_delivery_attempt(
        std::move(outcome.attempt),
        [self = shared_from_this(), id, delivery = d.id, message](Result<void> r) {
          self->on_context([id, delivery, message, r](Impl& s) {
            if (!r && r.error() != Errc::not_found)
              spdlog::warn("webhooks: cannot record an attempt of delivery {}: {}", delivery,
                           r.error().message());
            s.deliveries_in_flight.erase(delivery);
            auto& w = s.work[id];
            w.messages.erase(message);
            --w.in_flight;
            s.in_flight.add(-1);
            s.schedule_pass();
          });
        });
  }

  void disable(const std::string& id, SystemTime at, std::string reason) {
    auto& w = work[id];
    if (w.disabling) return;
    w.disabling = true;
    spdlog::warn("webhooks: disabling endpoint {}: {}", id, reason);
    disabled.inc();
    store.disable_endpoint(
        id, at, std::move(reason), [self = shared_from_this(), id](Result<void> r) {
          self->on_context([id, r](Impl& s) {
            s.work[id].disabling = false;
            if (!r && r.error() != Errc::not_found)
              spdlog::warn("webhooks: cannot disable endpoint {}: {}", id, r.error().message());
          });
        });
  }
};

std::chrono::seconds webhook_lease(const WebhookSenderOptions& options) {
  return std::chrono::ceil<std::chrono::seconds>(options.timeout) + kLeaseMargin;
}

WebhookSender::WebhookSender(net::IoRuntime& io, store::WebhookStore& store, std::string node,
                             WebhookPoster post, const Clock& clock, MetricsRegistry& metrics,
                             WebhookSenderOptions options)
    : impl_(std::make_shared<Impl>(io, store, std::move(node), std::move(post), clock, metrics,
                                   std::move(options))) {}

WebhookSender::~WebhookSender() { stop(); }

void WebhookSender::start() {
  if (!impl_->options.enabled) return;
  std::weak_ptr<Impl> weak = impl_;
  impl_->store.on_change([weak] {
    if (auto self = weak.lock()) self->on_context([](Impl& s) { s.schedule_pass(); });
  });
  wake();
}

void WebhookSender::stop() {
  {
    std::lock_guard lock(impl_->run_mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  asio::post(impl_->context, [self = impl_] { self->timer.cancel(); });
}

void WebhookSender::wake() {
  impl_->on_context([](Impl& s) { s.schedule_pass(); });
}

}  // namespace postern::events
