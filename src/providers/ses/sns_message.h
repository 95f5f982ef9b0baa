// Amazon SNS's HTTP(S) deliveries, sans-io (shared/provider-webhooks.md §3):
// the JSON envelope, the string its signature covers, and which URLs
// Postern may fetch for it (SigningCertURL, SubscribeURL).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "providers/webhook.h"

namespace postern::providers::ses {

struct SnsMessage {
  std::string type;  // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
  std::string message_id;
  std::string topic_arn;
  std::optional<std::string> subject;  // signed only when present
  std::string message;
  std::string timestamp;
  std::string token;          // confirmations
  std::string subscribe_url;  // confirmations
  int signature_version = 0;  // 1: SHA1withRSA, 2: SHA256withRSA
  std::string signature;      // decoded from base64
  std::string signing_cert_url;
};

// The envelope; refusals (malformed, unsupported_signature) name what is
// missing.
Result<SnsMessage, WebhookRefusal> parse_sns_message(std::string_view body);

// "Key\nValue\n" for each signed key present, in byte order of the keys:
// Message, MessageId, Subject (notifications, when present), SubscribeURL,
// Timestamp, Token (confirmations), TopicArn, Type.
std::string sns_string_to_sign(const SnsMessage& message);

// Where certificates and confirmations may be fetched from: https from
// sns.<region>.amazonaws.com (or .amazonaws.com.cn), https from any of
// `extra_hosts`, and plain http from those of `extra_hosts` that are
// loopback (127.0.0.0/8, ::1, localhost), for tests.
struct SnsHostRules {
  std::vector<std::string> extra_hosts;
};

struct FetchTarget {
  bool amazon = false;  // an SNS host of Amazon's (its certificates chain to a public CA)
};

// Whether `url` may be fetched; refusal `cert_host_not_allowed` (or
// `url_not_allowed` for a SubscribeURL, by `what`) saying why not.
Result<FetchTarget, WebhookRefusal> check_sns_url(const SnsHostRules& rules, std::string_view url,
                                                  std::string_view what);

// True for sns.<region>.amazonaws.com and sns.<region>.amazonaws.com.cn.
bool is_sns_host(std::string_view host);

}  // namespace postern::providers::ses
