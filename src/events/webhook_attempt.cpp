#include "events/webhook_attempt.h"

#include "core/utf8.h"

namespace postern::events {
namespace {

// What the log shows of a failure: the status and the start of the body
// the endpoint answered with, or the transport error.
std::string failure_text(const Result<net::HttpClientResponse>& answer) {
  if (!answer) {
    const auto& ec = answer.error();
    if (ec.category() == net::http_client_category())
      return std::string(net::to_string(static_cast<net::HttpClientErrc>(ec.value()))) + ": " +
             ec.message();
    return ec.message();
  }
  std::string text = "HTTP " + std::to_string(answer->status);
  if (!answer->body.empty()) text += ": " + answer->body;
  return clip_utf8(text, 497);
}

}  // namespace

WebhookAttemptOutcome webhook_attempt_outcome(const WebhookSenderOptions& options,
                                              const store::WebhookDelivery& delivery,
                                              const Result<net::HttpClientResponse>& answer,
                                              SystemTime now, std::chrono::microseconds latency) {
  WebhookAttemptOutcome out;
  auto& a = out.attempt;
  a.delivery_id = delivery.id;
  a.at = now;
  a.latency = latency;
  a.status = answer ? answer->status : 0;
  if (a.status >= 200 && a.status < 300) {
    a.delivered = true;
    out.result = "delivered";
    return out;
  }
  a.error = failure_text(answer);
  out.gone = a.status == 410;
  a.retry_at = webhook_retry_at(options, delivery.attempts + 1, delivery.created_at, now);
  out.result = a.retry_at ? "retry" : "failed";
  return out;
}

}  // namespace postern::events
