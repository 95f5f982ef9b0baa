// SendGrid's answers to failure classes: the one table (SendGrid's
// statuses and error bodies; docs/providers.md, Failure classes).
#include <boost/json/array.hpp>

#include "core/utf8.h"
#include "providers/common/http_call.h"
#include "providers/common/json_body.h"
#include "providers/common/retry_hint.h"
#include "providers/sendgrid/sendgrid_provider.h"

namespace postern::providers::sendgrid {

namespace {

FailureClass class_of(int status) {
  switch (status) {
    case 200:  // sandbox mode: valid, not queued
    case 202:  // accepted
      return FailureClass::ok;
    case 400:  // validation: a bad recipient (field personalizations.N.to), content, our JSON
    case 413:  // content too large
      return FailureClass::permanent;
    case 401:  // bad or revoked key
    case 403:  // key lacks mail.send, or the sender identity is not verified
    case 404:
    case 451:  // data-residency: this account must use the other region's host
      return FailureClass::provider_down;
    case 429:
      return FailureClass::transient;
    case 500:
    case 503:  // v3 Web API not available
      return FailureClass::provider_down;
    default:
      return common::fallback_class(status);
  }
}

// SendGrid's error body: {"errors":[{"message","field","help"}]}; "field: message; ..." for
// every error, `help` ignored (its type varies).
std::string error_detail(const net::HttpClientResponse& response) {
  auto body = common::parse_json_object(response.body);
  const auto* errors = body ? body->if_contains("errors") : nullptr;
  if (!errors || !errors->is_array()) return clip_utf8(response.body);
  std::string out;
  for (const auto& e : errors->as_array()) {
    if (!e.is_object()) continue;
    auto message = common::string_member(e.as_object(), {"message"});
    auto field = common::string_member(e.as_object(), {"field"});
    if (!out.empty()) out += "; ";
    out += field.empty() ? message : field + ": " + message;
  }
  return clip_utf8(out, 600);
}

}  // namespace

SendResult classify_sendgrid_send(const net::HttpClientResponse& response, SystemTime now) {
  auto cls = class_of(response.status);
  if (cls == FailureClass::ok) {
    auto result =
        common::http_result(cls, response.status, response.status == 200 ? "sandbox mode" : "");
    result.provider_message_id = clip_utf8(response.header("X-Message-Id"), 200);
    return result;
  }
  auto result = common::http_result(cls, response.status, error_detail(response));
  if (response.status == 429) {
    // Wait until X-RateLimit-Reset (Unix seconds).
    result.retry_after = common::wait_until_unix_seconds(response.header("X-RateLimit-Reset"), now);
    if (!result.retry_after)
      result.retry_after = common::parse_retry_after(response.header("Retry-After"), now);
  }
  return result;
}

ProbeResult classify_sendgrid_probe(const net::HttpClientResponse& response) {
  ProbeResult result;
  if (response.status != 200) {
    auto cls = class_of(response.status);
    result.failure_class = cls == FailureClass::transient ? cls : FailureClass::provider_down;
    result.detail = "HTTP " + std::to_string(response.status) + ": " + error_detail(response);
    return result;
  }
  // The key must hold the mail.send scope.
  auto body = common::parse_json_object(response.body);
  const auto* scopes = body ? body->if_contains("scopes") : nullptr;
  if (scopes && scopes->is_array()) {
    for (const auto& s : scopes->as_array()) {
      if (s.is_string() && s.as_string() == "mail.send") {
        result.healthy = true;
        return result;
      }
    }
  }
  result.failure_class = FailureClass::provider_down;
  result.detail = "the API key lacks the mail.send scope";
  return result;
}

}  // namespace postern::providers::sendgrid
