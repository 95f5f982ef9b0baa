// Mailgun's answers to failure classes: the one table (docs/providers.md,
// Failure classes).
#include "core/utf8.h"
#include "providers/common/http_call.h"
#include "providers/common/json_body.h"
#include "providers/common/retry_hint.h"
#include "providers/mailgun/mailgun_provider.h"

namespace postern::providers::mailgun {

namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The id is the Message-ID with its angle brackets; Mailgun's events
// report it without them, so that is the form kept.
std::string strip_brackets(std::string id) {
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return id;
}

FailureClass class_of(int status, std::string_view message) {
  switch (status) {
    case 400:
      // "Domain ... is not allowed to send: ..." (sandbox, free plan,
      // unverified, not activated) is account configuration, not content.
      if (contains(message, "is not allowed to send")) return FailureClass::provider_down;
      // "to parameter is not a valid address", other validation, and our
      // own serialization bugs: resending the same request cannot help.
      return FailureClass::permanent;
    case 401:  // no valid API key (body "Forbidden")
    case 402:  // request failed: account-level
    case 403:  // auth error, large batches not allowed, sending IP rejected
    case 404:  // "Domain not found": wrong domain or wrong region
      return FailureClass::provider_down;
    case 413:  // request size exceeds 52.4MiB
      return FailureClass::permanent;
    case 429:  // request, recipient or bytes limit: slow down
      return FailureClass::transient;
    case 500:
    case 502:
    case 503:
    case 504:
      return FailureClass::provider_down;
    default:
      return common::fallback_class(status);
  }
}

}  // namespace

SendResult classify_mailgun_send(const net::HttpClientResponse& response, SystemTime now) {
  auto body = common::parse_json_object(response.body);
  std::string message = body ? common::string_member(*body, {"message"}) : clip_utf8(response.body);
  auto result = common::http_result(class_of(response.status, message), response.status, message);
  if (result.failure_class == FailureClass::ok) {
    if (body) result.provider_message_id = strip_brackets(common::string_member(*body, {"id"}));
    return result;
  }
  if (response.status == 429) {
    // No rate-limit headers are documented; the reset time is in the
    // text. A Retry-After header, should one appear, is honoured first.
    result.retry_after = common::parse_retry_after(response.header("Retry-After"), now);
    if (!result.retry_after) result.retry_after = common::wait_from_try_again_after(message, now);
  }
  return result;
}

ProbeResult classify_mailgun_probe(const net::HttpClientResponse& response) {
  ProbeResult result;
  auto body = common::parse_json_object(response.body);
  if (response.status != 200) {
    result.failure_class = class_of(response.status, "");
    if (result.failure_class == FailureClass::permanent ||
        result.failure_class == FailureClass::ok) {
      result.failure_class = FailureClass::provider_down;
    }
    result.detail = "HTTP " + std::to_string(response.status) + ": " +
                    (body ? common::string_member(*body, {"message"}) : clip_utf8(response.body));
    return result;
  }
  // Healthy: 200, state "active" and not disabled.
  const boost::json::object* domain = nullptr;
  if (body) {
    if (auto* d = body->if_contains("domain"); d && d->is_object()) domain = &d->as_object();
  }
  if (!domain) {
    result.failure_class = FailureClass::provider_down;
    result.detail = "unexpected domain answer: " + clip_utf8(response.body, 120);
    return result;
  }
  auto state = common::string_member(*domain, {"state"});
  const auto* disabled = domain->if_contains("is_disabled");
  bool is_disabled = disabled && disabled->is_bool() && disabled->as_bool();
  if (state != "active" || is_disabled) {
    result.failure_class = FailureClass::provider_down;
    result.detail = "domain state '" + state + "'" + (is_disabled ? ", disabled" : "");
    return result;
  }
  result.healthy = true;
  return result;
}

}  // namespace postern::providers::mailgun
