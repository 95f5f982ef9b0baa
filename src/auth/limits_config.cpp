#include "auth/limits_config.h"

namespace postern::auth {

Result<LimitsOptions, ConfigError> read_limits_options(ConfigFile& file) {
  LimitsOptions o;
  auto s = file.section("limits");
  s.number("key_requests_per_second", o.per_key.per_second)
      .number("key_burst", o.per_key.burst)
      .count("key_concurrent", o.per_key.concurrent)
      .number("address_requests_per_second", o.per_address.per_second)
      .number("address_burst", o.per_address.burst)
      .count("address_concurrent", o.per_address.concurrent)
      .number("smtp_messages_per_minute", o.smtp_messages_per_minute)
      .number("smtp_burst", o.smtp_burst)
      .count("auth_failures_free", o.auth_failures.free)
      .duration("auth_failure_delay", o.auth_failures.first)
      .duration("auth_failure_max_delay", o.auth_failures.max)
      .duration("auth_failure_reset", o.auth_failures.reset)
      .count("max_tracked", o.max_tracked)
      .flag("exempt_loopback", o.exempt_loopback)
      .bytes("inflight_bytes", o.inflight_bytes);
  s.check(o.per_key.per_second >= 0, "key_requests_per_second", "must be 0 or more")
      .check(o.per_address.per_second >= 0, "address_requests_per_second", "must be 0 or more")
      .check(o.smtp_messages_per_minute >= 0, "smtp_messages_per_minute", "must be 0 or more")
      .check(o.per_key.burst >= 1, "key_burst", "must be 1 or more")
      .check(o.per_address.burst >= 1, "address_burst", "must be 1 or more")
      .check(o.smtp_burst >= 1, "smtp_burst", "must be 1 or more")
      .check(o.auth_failures.max >= o.auth_failures.first, "auth_failure_max_delay",
             "must not be below auth_failure_delay")
      .check(o.max_tracked >= 1, "max_tracked", "must be 1 or more")
      .check(o.inflight_bytes >= 1024 * 1024, "inflight_bytes", "must be 1MiB or more");
  return file.result(o);
}

}  // namespace postern::auth
