// SES v2 answers to failure classes: the one table (docs/providers.md,
// Failure classes). Keyed by error type; the status decides only
// when the type is unknown.
#include <array>

#include "core/utf8.h"
#include "providers/common/http_call.h"
#include "providers/common/json_body.h"
#include "providers/common/retry_hint.h"
#include "providers/ses/ses_provider.h"

namespace postern::providers::ses {

namespace {

struct Row {
  std::string_view type;
  FailureClass failure_class;
};

constexpr std::array<Row, 28> kTable = {{
    // The message itself: content invalid, identity check failed, bad input.
    {"MessageRejected", FailureClass::permanent},
    {"BadRequestException", FailureClass::permanent},
    {"ValidationError", FailureClass::permanent},
    // Throttling (botocore standard retry codes).
    {"TooManyRequestsException", FailureClass::transient},
    {"Throttling", FailureClass::transient},
    {"ThrottlingException", FailureClass::transient},
    {"LimitExceededException", FailureClass::transient},
    {"RequestLimitExceeded", FailureClass::transient},
    {"SlowDown", FailureClass::transient},
    {"RequestTimeout", FailureClass::transient},
    {"RequestTimeoutException", FailureClass::transient},
    {"PriorRequestNotComplete", FailureClass::transient},
    // The account or its configuration: fail over.
    {"AccountSuspendedException", FailureClass::provider_down},
    {"SendingPausedException", FailureClass::provider_down},
    {"MailFromDomainNotVerifiedException", FailureClass::provider_down},
    {"NotFoundException", FailureClass::provider_down},
    {"OptInRequired", FailureClass::provider_down},
    // Credentials and signatures (RequestExpired: our clock is off).
    {"AccessDeniedException", FailureClass::provider_down},
    {"AccessDenied", FailureClass::provider_down},
    {"IncompleteSignature", FailureClass::provider_down},
    {"InvalidClientTokenId", FailureClass::provider_down},
    {"InvalidSignatureException", FailureClass::provider_down},
    {"SignatureDoesNotMatch", FailureClass::provider_down},
    {"UnrecognizedClientException", FailureClass::provider_down},
    {"NotAuthorized", FailureClass::provider_down},
    {"RequestExpired", FailureClass::provider_down},
    // AWS's own failures.
    {"InternalFailure", FailureClass::provider_down},
    {"ServiceUnavailable", FailureClass::provider_down},
}};

// The rows above that mean "slow down" (a rate, not an outage).
bool is_throttle_type(std::string_view type) {
  for (std::string_view t : {"TooManyRequestsException", "Throttling", "ThrottlingException",
                             "LimitExceededException", "RequestLimitExceeded", "SlowDown"}) {
    if (type == t) return true;
  }
  return false;
}

std::string strip_type(std::string_view type) {
  if (auto colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  if (auto hash = type.rfind('#'); hash != std::string_view::npos) type = type.substr(hash + 1);
  return clip_utf8(type, 128);  // from a header: any bytes, any length
}

FailureClass class_of(int status, std::string_view type, std::string_view message) {
  // The daily quota is spent for hours, a capacity outage;
  // the per-second rate clears in moments.
  if (message.find("Daily message quota exceeded") != std::string_view::npos)
    return FailureClass::provider_down;
  if (message.find("Maximum sending rate exceeded") != std::string_view::npos)
    return FailureClass::transient;
  for (const auto& row : kTable) {
    if (row.type != type) continue;
    // A 5xx is AWS's failure (or a proxy's), whatever type it carries: the
    // message may go through later or elsewhere, so never fail it for good.
    if (status >= 500 && row.failure_class == FailureClass::permanent)
      return FailureClass::provider_down;
    return row.failure_class;
  }
  switch (status) {
    case 401:
    case 403:
      return FailureClass::provider_down;
    default:
      return common::fallback_class(status);
  }
}

}  // namespace

std::string ses_error_type(const net::HttpClientResponse& response) {
  auto header = response.header("x-amzn-ErrorType");
  if (!header.empty()) return strip_type(header);
  if (auto body = common::parse_json_object(response.body)) {
    return strip_type(common::string_member(*body, {"code", "Code", "__type"}));
  }
  return "";
}

SendResult classify_ses_send(const net::HttpClientResponse& response, SystemTime now) {
  auto body = common::parse_json_object(response.body);
  if (response.status >= 200 && response.status < 300) {
    auto result = common::http_result(FailureClass::ok, response.status, "");
    if (body) result.provider_message_id = common::string_member(*body, {"MessageId"});
    return result;
  }
  auto type = ses_error_type(response);
  auto message =
      body ? common::string_member(*body, {"message", "Message"}) : clip_utf8(response.body);
  SendResult result;
  result.failure_class = class_of(response.status, type, message);
  result.code = type.empty() ? std::to_string(response.status) : type;
  result.detail = message;
  // SES sends no rate-limit headers; a Retry-After would be honoured.
  if (result.failure_class == FailureClass::transient) {
    result.retry_after = common::parse_retry_after(response.header("Retry-After"), now);
    result.throttled = response.status == 429 || is_throttle_type(type);
  }
  return result;
}

ProbeResult classify_ses_probe(const net::HttpClientResponse& response) {
  ProbeResult result;
  auto body = common::parse_json_object(response.body);
  if (response.status != 200 || !body) {
    auto type = ses_error_type(response);
    auto message =
        body ? common::string_member(*body, {"message", "Message"}) : clip_utf8(response.body);
    auto cls = class_of(response.status, type, message);
    result.failure_class = cls == FailureClass::transient ? cls : FailureClass::provider_down;
    result.detail = "HTTP " + std::to_string(response.status) + (type.empty() ? "" : " " + type) +
                    ": " + message;
    return result;
  }
  // Healthy = SendingEnabled and EnforcementStatus != SHUTDOWN, with
  // quota left for today.
  const auto* enabled = body->if_contains("SendingEnabled");
  bool sending = enabled && enabled->is_bool() && enabled->as_bool();
  auto enforcement = common::string_member(*body, {"EnforcementStatus"});
  result.failure_class = FailureClass::provider_down;
  if (!sending) {
    result.detail = "sending is disabled for the account";
  } else if (enforcement == "SHUTDOWN") {
    result.detail = "account enforcement status SHUTDOWN";
  } else if (const auto* quota = body->if_contains("SendQuota"); quota && quota->is_object()) {
    // Numbers arrive as doubles (Max24HourSend -1 means unlimited).
    auto number = [&](std::string_view key) {
      const auto* v = quota->as_object().if_contains(key);
      return v && v->is_number() ? v->to_number<double>() : 0.0;
    };
    double max = number("Max24HourSend");
    if (max >= 0 && number("SentLast24Hours") >= max)
      result.detail = "daily sending quota exhausted";
  }
  result.healthy = result.detail.empty();
  if (result.healthy) result.failure_class = FailureClass::ok;
  return result;
}

}  // namespace postern::providers::ses
