// The abuse limits' settings ([limits], docs/configuration.md): request
// rate and concurrency per API key and per client address, SMTP messages
// per minute per user, the delays after failed logins, and how many callers
// the tables track. Read by auth::read_limits_options.
#pragma once

#include <chrono>
#include <cstddef>

#include "auth/failure_delays.h"
#include "auth/rate_table.h"
#include "core/config.h"
#include "core/inflight_budget.h"

namespace postern::auth {

struct LimitsOptions {
  // HTTP requests with a valid API key, per key. No rate by default: an
  // application's volume is the operator's to know (a key is no anonymous
  // caller); requests in flight are capped so that one key cannot take
  // every connection's worth of work.
  RateLimit per_key{.per_second = 0, .burst = 1000, .concurrent = 1024};
  // HTTP requests without a valid key (anonymous, loopback-trusted, or
  // refused), per client address.
  RateLimit per_address{.per_second = 50, .burst = 100, .concurrent = 32};
  // SMTP messages per minute per authenticated user (key or SMTP user),
  // and how many may go at once. 0: unlimited.
  double smtp_messages_per_minute = 6000;
  double smtp_burst = 1000;
  FailureDelayOptions auth_failures;
  // Loopback callers (127.0.0.0/8, ::1) skip the per-address limits and
  // the delays after failed logins: the local mail catcher of `make run`
  // and local tools are not abusers, and on a host whose local users are
  // not trusted, set it false. Per-key and per-user limits still apply.
  bool exempt_loopback = true;
  // Callers each table tracks at most (the rest share one entry).
  std::size_t max_tracked = 100000;
  // Message content in memory at once, received and being sent
  // (core/inflight_budget.h, docs/operations.md "Memory"); past it new
  // SMTP DATA/BDAT get 452 4.3.1 and HTTP bodies 503. At least
  // messages.max_message_bytes, so that the largest message fits.
  std::size_t inflight_bytes = default_inflight_bytes();
};

// Reads [limits]. Errors name the key.
Result<LimitsOptions, ConfigError> read_limits_options(ConfigFile& file);

}  // namespace postern::auth
