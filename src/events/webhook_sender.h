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
//
// Several nodes may share the store, each with its sender: a sender leases
// the deliveries it is about to post (WebhookStore::lease_deliveries, in
// its node's name, for webhook_lease(): longer than an attempt may take),
// so no two senders post one delivery at once, and one whose node died
// leaves its deliveries due again when their lease ends. Fan-out from
// several nodes at once queues each event once (the store moves each
// endpoint's cursor under a lock).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

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

// How long a sender holds the deliveries it leases: an attempt's timeout
// and a margin for recording its outcome, so a slow endpoint's delivery is
// never leased again while its attempt may still answer.
std::chrono::seconds webhook_lease(const WebhookSenderOptions& options);

class WebhookSender {
 public:
  // Runs on one context of `io`. Installs itself as `store`'s on_change
  // listener at start(). `node` names this node among those sharing the
  // store (store::node_name_or_host): its leases' owner.
  WebhookSender(net::IoRuntime& io, store::WebhookStore& store, std::string node,
                WebhookPoster post, const Clock& clock, MetricsRegistry& metrics,
                WebhookSenderOptions options);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Does nothing when options.enabled is false.
  void start();
  // No attempt starts after it returns; attempts in flight are abandoned
  // (not recorded: their deliveries stay pending and go again when their
  // lease ends, with the same webhook-id). Before the store closes.
  void stop();
  // Look again now (a change the store did not announce; tests).
  void wake();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::events
