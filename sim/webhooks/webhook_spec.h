// Where and how one simulated provider sends its event webhooks
// (docs/simulator.md, "Webhooks"): the URL, the provider's secret, and the
// misbehaviour real providers show (delay, duplicates, events out of order,
// retries). Written by --webhook and the control API through one parser,
// like fault_spec.h.
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "core/error.h"

namespace postern::sim {

enum class EventOrder { in_order, reverse, shuffle };

struct WebhookSpec {
  // "" sends nothing. Postmark's credentials may be in it
  // ("http://user:pass@host/path"), as Postmark's own settings take them.
  std::string url;
  // Mailgun's "HTTP webhook signing key".
  std::string signing_key = "sim-webhook-signing-key";
  // Postmark's HTTP Basic credentials (when not in the URL).
  std::string username;
  std::string password;
  // SES through SNS.
  std::string topic_arn = "arn:aws:sns:us-east-1:123456789012:postern-sim-events";
  int signature_version = 1;  // SNS topics default to 1 (SHA1withRSA); 2 is SHA256withRSA
  // Each accepted message's events leave this long after its acceptance.
  std::chrono::milliseconds delay{0};
  // Share of requests sent a second time, identical (providers duplicate).
  double duplicates = 0;
  // The order in which one message's requests leave (or `hold` requests').
  EventOrder order = EventOrder::in_order;
  // Requests are held until this many wait, then leave together in
  // `order`, mixing messages (0: each message's requests on their own).
  int hold = 0;
  // A non-2xx answer or a transport failure is retried this many times,
  // retry_delay apart, doubling (the providers' schedules, compressed).
  int retries = 3;
  std::chrono::milliseconds retry_delay{200};
  // SendGrid: events per POST (a batch).
  int batch = 100;

  bool operator==(const WebhookSpec&) const = default;
};

// Keys: url, signing_key, username, password, topic_arn, signature_version
// (1 or 2), delay (duration; a bare number is ms), duplicates (0..1),
// order (in_order, reverse, shuffle), hold (0..10000), retries (0..10), retry_delay,
// batch (1..1000), and "clear" (back to the defaults).
Result<void, Problem> apply_setting(WebhookSpec& spec, std::string_view key,
                                    std::string_view value);
// "key=value,..." as --webhook takes it (after "service:").
Result<void, Problem> apply_settings(WebhookSpec& spec, std::string_view list);
// A JSON object with the same keys; null puts a setting's default back.
Result<void, Problem> apply_json(WebhookSpec& spec, const boost::json::object& settings);
// The settings; the secrets as they are (the simulator is a test tool).
boost::json::object to_json(const WebhookSpec& spec);

}  // namespace postern::sim
