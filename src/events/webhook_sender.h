// Webhooks out, the sending side (docs/events.md "Webhooks out"): for each
// enabled endpoint, turns new events into its deliveries (fan_out), posts
// the due ones signed the Standard Webhooks way, records each outcome with
// its retry time, and disables an endpoint that keeps failing.
//
// It runs beside intake and mail delivery, never in their way: on an
// executor of its own (give it its own IoRuntime and HTTP client), with at
// most max_in_flight attempts per endpoint, each bounded by the timeout,
// so a dead or hanging endpoint only grows its own queue. It wakes when
// the store says events or due deliveries were committed (on_change), and
// on a timer at the next delivery due; it never polls.
#pragma once

#include <functional>
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"
#include "events/webhook_sender_config.h"
#include "net/http_client.h"
#include "store/webhook_store.h"

namespace postern::net {
class IoRuntime;
}

namespace postern::events {

// Sends one HTTP request (net::HttpClient::send in the server; a fake in
// tests); `done` once, on any thread.
using WebhookPoster = std::function<void(net::HttpClientRequest,
                                         std::function<void(Result<net::HttpClientResponse>)>)>;

class WebhookSender {
 public:
  // Runs on one context of `io`. Installs itself as `store`'s on_change
  // listener at start().
  WebhookSender(net::IoRuntime& io, store::WebhookStore& store, WebhookPoster post,
                const Clock& clock, MetricsRegistry& metrics, WebhookSenderOptions options);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Does nothing when options.enabled is false.
  void start();
  // No attempt starts after it returns; attempts in flight are abandoned
  // (not recorded: their deliveries stay pending and go again after a
  // restart, with the same webhook-id). Before the store closes.
  void stop();
  // Look again now (a change the store did not announce; tests).
  void wake();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::events
