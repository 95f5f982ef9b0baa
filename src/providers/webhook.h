// A provider's event webhook (docs/events.md, "Webhooks in"): how one
// request that claims to come from the provider is checked and turned into
// events::ProviderEvents. Each provider that reports events implements it
// beside its client (src/providers/<name>/<name>_webhook.*); the receiver
// (events/webhook_receiver.h) finds it through Provider::webhook() and
// records what it answers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "events/provider_event.h"
#include "net/http_message.h"

namespace postern::providers {

// The request as it came; valid for the duration of Webhook::receive() only.
struct WebhookRequest {
  const net::HttpHeaders& headers;
  std::string_view body;  // the raw bytes: signatures cover them as sent
  SystemTime now;
  // The first header of that name (case-insensitive), "" when absent.
  std::string_view header(std::string_view name) const;
};

// Why a request is not taken. `reason` is a short fixed word (a metric
// label and the error's code); `message` says what was wrong for whoever
// reads the provider's delivery log.
struct WebhookRefusal {
  std::string reason;
  std::string message;
  // Postern could not check it now (the signing certificate or the
  // confirmation URL unreachable): 503, so that the provider retries,
  // rather than a refusal it would take as final.
  bool retry_later = false;
};

// What a genuine request reported.
struct WebhookReport {
  // The reports Postern keeps, without `provider` (the receiver sets it).
  std::vector<events::ProviderEvent> events;
  // Reports of kinds Postern does not keep (opens, clicks, "processed").
  std::size_t ignored = 0;
  // A request that was not an event report but was acted on (an SNS
  // subscription confirmed), said in the answer.
  std::string note;
};

using WebhookResult = Result<WebhookReport, WebhookRefusal>;

class Webhook {
 public:
  virtual ~Webhook() = default;
  // The status a refused request gets: 401, or what stops the provider's
  // retries of a request that will never pass (Mailgun: 406).
  virtual int refusal_status() const { return 401; }
  // Checks and parses one request; `done` is called exactly once, at once
  // or later from an I/O thread (SNS fetches its certificate).
  virtual void receive(const WebhookRequest& request, std::function<void(WebhookResult)> done) = 0;
};

}  // namespace postern::providers
