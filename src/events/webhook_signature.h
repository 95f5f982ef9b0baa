// Standard Webhooks signing (https://www.standardwebhooks.com): the three
// headers every delivery of webhooks out carries, so that a receiver's
// off-the-shelf Standard Webhooks library verifies what Postern sends.
//   webhook-id         "evt_" and the event's id: the same on every retry
//                      and every endpoint, the receiver's de-duplication key
//   webhook-timestamp  unix seconds of this attempt
//   webhook-signature  "v1," and the base64 HMAC-SHA256 of
//                      "<id>.<timestamp>.<body>", keyed by the decoded
//                      base64 part of the endpoint's "whsec_" secret
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::events {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";

// "v1,<base64 signature>", or nullopt when `secret` is not "whsec_" and
// valid base64 of at least one byte.
std::optional<std::string> webhook_signature(std::string_view secret, std::string_view id,
                                             std::int64_t timestamp, std::string_view body);

// The webhook-id of an event: "evt_<id>".
std::string webhook_id(std::int64_t event_id);

// The three headers in the order they are sent, or nullopt for a bad secret.
std::optional<std::vector<std::pair<std::string, std::string>>> webhook_headers(
    std::string_view secret, std::int64_t event_id, std::int64_t timestamp, std::string_view body);

// A new endpoint's secret: "whsec_" and the base64 of 24 random bytes.
std::string make_webhook_secret();

// A new endpoint's id: "ep_" and 20 random lower-case letters and digits.
std::string make_webhook_endpoint_id();

}  // namespace postern::events
