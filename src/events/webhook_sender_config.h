// The webhook sender's settings, [webhooks] in the configuration file
// (docs/configuration.md), and the retry schedule they shape.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include "core/clock.h"
#include "core/config.h"

namespace postern::events {

struct WebhookSenderOptions {
  bool enabled = true;  // false: nothing is posted (deliveries wait in the store)
  // One attempt's whole HTTP exchange, connect included.
  std::chrono::milliseconds timeout{10000};
  // Attempts in flight at once per endpoint (and never two of one message).
  std::size_t max_in_flight = 8;
  // A delivery is retried until this long after it was queued, then failed.
  std::chrono::milliseconds retry_for{std::chrono::hours(24)};
  // An endpoint whose attempts have all failed for this long is disabled.
  std::chrono::milliseconds disable_after{std::chrono::hours(24)};
  // Multiplies every back-off step (5 s, 5 min, 30 min, 2 h, 5 h, 10 h):
  // tests run the schedule in milliseconds.
  double backoff_scale = 1.0;
  // 410 Gone disables the endpoint at once (Standard Webhooks' advice).
  bool disable_on_gone = true;
};

// Reads [webhooks]. Errors name the key ("webhooks.timeout").
Result<WebhookSenderOptions, ConfigError> read_webhook_sender_config(ConfigFile& file);

// When a delivery queued at `created_at` that has just failed its
// `attempts`-th attempt (1 for the first) at `now` is tried again: the
// attempts-th step of the schedule later, but no later than retry_for after
// `created_at`; nullopt once retry_for has passed (the delivery fails).
std::optional<SystemTime> webhook_retry_at(const WebhookSenderOptions& options, int attempts,
                                           SystemTime created_at, SystemTime now);

}  // namespace postern::events
