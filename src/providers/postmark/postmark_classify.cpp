// Postmark's answers to failure classes: the one table (statuses, Postmark's
// ErrorCode values; docs/providers.md, Failure classes).
#include <algorithm>
#include <array>

#include "core/ascii.h"
#include "core/header_value.h"
#include "core/utf8.h"
#include "providers/common/http_call.h"
#include "providers/common/json_body.h"
#include "providers/common/retry_hint.h"
#include "providers/postmark/postmark_provider.h"

namespace postern::providers::postmark {

namespace {

struct Row {
  std::int64_t error_code;
  FailureClass failure_class;
};

// Postmark's API ErrorCodes that concern sending.
constexpr std::array<Row, 16> kErrorCodes = {{
    {0, FailureClass::ok},
    {10, FailureClass::provider_down},   // bad or missing API token
    {100, FailureClass::provider_down},  // maintenance
    {300, FailureClass::permanent},      // invalid email request (bad From/To, missing body)
    {400, FailureClass::provider_down},  // sender signature not found
    {401, FailureClass::provider_down},  // sender signature not confirmed
    {402, FailureClass::permanent},      // invalid JSON: our bug
    {403, FailureClass::permanent},      // incompatible JSON: our bug
    {405, FailureClass::provider_down},  // not allowed to send (credits, disabled)
    {406, FailureClass::permanent},      // inactive recipient (bounced, complained, suppressed)
    {409, FailureClass::permanent},      // JSON required: our bug
    {410, FailureClass::permanent},      // too many batch messages: our bug
    {411, FailureClass::permanent},      // forbidden attachment type
    {412, FailureClass::provider_down},  // account pending
    {413, FailureClass::provider_down},  // account may not send
    {429, FailureClass::transient},      // rate limit
}};

// Without an ErrorCode the HTTP status decides.
FailureClass class_of_status(int status) {
  switch (status) {
    case 401:  // token missing or wrong
    case 404:
      return FailureClass::provider_down;
    // A 403 without ErrorCode is the network security layer in front of
    // the API blocking us, not a verdict on the message.
    case 403:
      return FailureClass::provider_down;
    case 413:  // payload too large
    case 422:  // unprocessable message
      return FailureClass::permanent;
    case 429:
      return FailureClass::transient;
    case 500:  // "in most cases the message is lost": safe to resend
    case 503:  // planned outage
      return FailureClass::provider_down;
    default:
      return common::fallback_class(status);
  }
}

}  // namespace

SendResult classify_postmark_send(const net::HttpClientResponse& response, SystemTime now) {
  auto body = common::parse_json_object(response.body);
  auto error_code = body ? common::int_member(*body, "ErrorCode") : std::nullopt;
  auto message = body ? common::string_member(*body, {"Message"}) : clip_utf8(response.body);
  SendResult result;
  result.failure_class = class_of_status(response.status);
  result.code = std::to_string(response.status);
  if (error_code) result.code = "ErrorCode " + std::to_string(*error_code);
  if (error_code && response.status < 500) {
    // The ErrorCode is the finer verdict: a 200 can carry one (batch), and
    // a 422 means different things per code. A 5xx is Postmark's failure
    // (or a proxy's) whatever body it has: never sent, never failed for good.
    auto row = std::find_if(kErrorCodes.begin(), kErrorCodes.end(),
                            [&](const Row& r) { return r.error_code == *error_code; });
    if (row != kErrorCodes.end()) {
      result.failure_class = row->failure_class;
    } else if (result.failure_class == FailureClass::ok) {
      result.failure_class = FailureClass::permanent;  // an unknown non-zero code on a 200
    }
  }
  if (result.failure_class == FailureClass::ok) {
    result.detail = message;
    if (body) result.provider_message_id = common::string_member(*body, {"MessageID"});
    return result;
  }
  result.detail = message;
  if (result.failure_class == FailureClass::transient) {
    result.retry_after = common::parse_retry_after(response.header("Retry-After"), now);
    result.throttled = response.status == 429 || error_code == 429;
  }
  return result;
}

namespace {

// "... Found inactive addresses: a@x.org, b@y.org. Inactive recipients are ..."
std::vector<std::string_view> inactive_addresses(std::string_view message) {
  constexpr std::string_view marker = "inactive addresses: ";
  auto at = message.find(marker);
  if (at == std::string_view::npos) return {};
  auto list = message.substr(at + marker.size());
  list = list.substr(0, list.find(". "));
  if (list.ends_with('.')) list.remove_suffix(1);
  return list_items(list, ',');
}

}  // namespace

SendResult leave_out_inactive(SendResult result, const Envelope& envelope) {
  if (result.code != "ErrorCode 406" || result.failure_class != FailureClass::permanent)
    return result;
  auto inactive = inactive_addresses(result.detail);
  std::vector<std::string> settled;
  for (const auto& r : envelope.recipients) {
    bool named = std::any_of(inactive.begin(), inactive.end(),
                             [&](std::string_view a) { return ascii_iequals(a, r.address); });
    if (named) settled.push_back(r.address);
  }
  if (settled.empty()) return result;
  result.inactive_recipients = settled;
  if (settled.size() == envelope.recipients.size()) return result;
  result.failure_class = FailureClass::transient;
  result.detail = "inactive recipients left out, the others get the message at the next attempt: " +
                  result.detail;
  result.refused_recipients = settled;
  result.settled_recipients = std::move(settled);
  return result;
}

ProbeResult classify_postmark_probe(const net::HttpClientResponse& response) {
  ProbeResult result;
  if (response.status == 200) {
    result.healthy = true;
    return result;
  }
  auto cls = class_of_status(response.status);
  result.failure_class = cls == FailureClass::transient ? cls : FailureClass::provider_down;
  result.detail = "HTTP " + std::to_string(response.status) + ": " +
                  common::error_text(response.body, {"Message"});
  return result;
}

}  // namespace postern::providers::postmark
