#include "delivery/delivery_config.h"

namespace postern::delivery {

Result<DeliveryConfig, ConfigError> read_delivery_config(ConfigFile& file) {
  DeliveryConfig c;
  auto& d = c.dispatcher;
  auto s = file.section("delivery");
  s.flag("enabled", c.enabled)
      .count("window", d.window)
      .duration("lease", d.lease)
      .duration("poll_interval", d.poll_interval)
      .duration("max_hold", d.max_hold)
      .duration("max_age", d.retry.max_age)
      .duration("initial_backoff", d.retry.initial_backoff)
      .duration("max_backoff", d.retry.max_backoff);
  s.check(d.window > 0, "window", "must be at least 1");
  return file.result(std::move(c));
}

}  // namespace postern::delivery
