// POST /v1/webhooks/{provider} behind the HTTP layer (docs/events.md,
// "Webhooks in"): finds the named provider's webhook, lets it check and
// parse the request, records a genuine report in the EventStore and
// answers only once that is durable. Refusals change nothing; they are
// counted (postern_webhook_refused_total{provider,reason}) and logged
// without the body. Knows neither HTTP nor sockets: the route turns a
// WebhookAnswer into a response.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/metrics.h"
#include "net/http_message.h"
#include "providers/webhook.h"
#include "store/event_store.h"

namespace postern::events {

struct WebhookReceiverOptions {
  // Larger bodies are refused (413) before any check: SendGrid's batches
  // stay under 768 KB, the others are one event.
  std::size_t max_body_bytes = 1024 * 1024;
};

// What to answer. status 200: the counts say what became of the report;
// otherwise code and message name the error (field is "provider" for a 404).
struct WebhookAnswer {
  int status = 200;
  std::string code;
  std::string message;
  std::string field;
  std::size_t recorded = 0;    // new, tied to a message
  std::size_t unmatched = 0;   // new, no message known by its ids (kept)
  std::size_t duplicates = 0;  // recorded before
  std::size_t ignored = 0;     // kinds Postern does not keep
  std::string note;            // e.g. an SNS subscription confirmed
};

// The webhook of the provider configured under that name; null when there
// is no such provider or it has no webhook settings.
using WebhookLookup = std::function<std::shared_ptr<providers::Webhook>(const std::string&)>;

class WebhookReceiver {
 public:
  WebhookReceiver(WebhookLookup lookup, store::EventStore& store, MetricsRegistry& metrics,
                  const Clock& clock, WebhookReceiverOptions options = {});

  // `done` is called exactly once, from any thread. The headers and body
  // need only live until this returns.
  void receive(const std::string& provider, const net::HttpHeaders& headers, std::string_view body,
               std::function<void(WebhookAnswer)> done);

 private:
  void refused(const std::string& provider, int status, const providers::WebhookRefusal& refusal,
               const std::function<void(WebhookAnswer)>& done);
  void record(const std::string& provider, providers::WebhookReport report,
              std::function<void(WebhookAnswer)> done);

  WebhookLookup lookup_;
  store::EventStore& store_;
  MetricsRegistry& metrics_;
  const Clock& clock_;
  WebhookReceiverOptions options_;
};

}  // namespace postern::events
