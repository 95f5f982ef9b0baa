// What the configuration file says about routing: [routing] (strategy,
// default pool, health checks, heartbeats), [[routes]] and [[providers]].
// The routing service applies it at start and on SIGHUP.
#pragma once

#include <vector>

#include "core/config.h"
#include "providers/provider_config.h"
#include "routing/router.h"

namespace postern::routing {

struct RoutingConfig {
  RouterOptions router;                   // defaults: RouterOptions' members
  std::vector<ProviderConfig> providers;  // none: the built-in capture provider
};

// Reads [routing], [[routes]] and [[providers]] and checks them together.
// Errors name the key ("routing.error_rate", "routes[1].pool",
// "providers[0].name").
Result<RoutingConfig, ConfigError> read_routing_config(ConfigFile& file);

}  // namespace postern::routing
