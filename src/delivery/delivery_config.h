// What the configuration file says about delivery: [delivery], the
// dispatcher's window and lease and the retry policy's back-off.
#pragma once

#include "core/config.h"
#include "delivery/dispatcher.h"

namespace postern::delivery {

struct DeliveryConfig {
  bool enabled = true;  // false keeps mail queued (maintenance, tests)
  DispatcherOptions dispatcher;
};

// Reads [delivery]. Errors name the key ("delivery.window").
Result<DeliveryConfig, ConfigError> read_delivery_config(ConfigFile& file);

}  // namespace postern::delivery
