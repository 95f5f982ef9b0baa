// What one attempt of a webhooks-out delivery came to: the HTTP answer (or
// transport failure) turned into the store's WebhookAttempt, with its
// retry time from the schedule. No I/O: the sender feeds it, tests too.
#pragma once

#include <chrono>
#include <string_view>

#include "core/error.h"
#include "events/webhook_sender_config.h"
#include "net/http_client.h"
#include "store/webhook_store.h"

namespace postern::events {

struct WebhookAttemptOutcome {
  store::WebhookAttempt attempt;
  bool gone = false;  // the endpoint answered 410 Gone
  // "delivered", "retry" or "failed" (retries spent): the metric's label.
  std::string_view result;
};

// A 2xx is delivered; any other status or a transport failure is retried
// (webhook_retry_at) or, past retry_for, failed.
WebhookAttemptOutcome webhook_attempt_outcome(const WebhookSenderOptions& options,
                                              const store::WebhookDelivery& delivery,
                                              const Result<net::HttpClientResponse>& answer,
                                              SystemTime now, std::chrono::microseconds latency);

}  // namespace postern::events
