#include "routing/routing_config.h"

#include <set>

#include "routing/strategy.h"

namespace postern::routing {
namespace {

std::string known_strategies() {
  std::string out;
  for (auto name : strategy_names()) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

void read_health(ConfigSection& s, ProbeOptions& probe, OutlierOptions& outlier,
                 HeartbeatOptions& heartbeat) {
  s.duration("probe_interval", probe.interval)
      .duration("probe_timeout", probe.timeout)
      .duration("probe_jitter", probe.jitter)
      .count("unhealthy_threshold", probe.unhealthy_threshold)
      .count("healthy_threshold", probe.healthy_threshold)
      .count("consecutive_failures", outlier.consecutive_failures)
      .count("consecutive_down", outlier.consecutive_down)
      .number("error_rate", outlier.error_rate)
      .number("throttle_rate", outlier.throttle_rate)
      .count("min_requests", outlier.min_requests)
      .duration("error_window", outlier.window)
      .duration("base_ejection", outlier.base_ejection)
      .duration("max_ejection", outlier.max_ejection)
      .count("trial_successes", outlier.trial_successes)
      .duration("heartbeat_window", heartbeat.window)
      .flag("heartbeat_registration", heartbeat.registration)
      .list("heartbeat_allowed", heartbeat.allowed);
  s.check(outlier.error_rate <= 1, "error_rate", "expected a share from 0 to 1")
      .check(outlier.throttle_rate <= 1, "throttle_rate", "expected a share from 0 to 1")
      .check(probe.unhealthy_threshold > 0, "unhealthy_threshold", "must be at least 1")
      .check(probe.healthy_threshold > 0, "healthy_threshold", "must be at least 1")
      .check(outlier.trial_successes > 0, "trial_successes", "must be at least 1")
      .check(probe.interval.count() == 0 || probe.timeout.count() > 0, "probe_timeout",
             "must be more than 0")
      .check(outlier.base_ejection.count() > 0, "base_ejection", "must be more than 0")
      .check(outlier.max_ejection >= outlier.base_ejection, "max_ejection",
             "must be at least routing.base_ejection")
      .check(outlier.window.count() > 0, "error_window", "must be more than 0")
      .check(heartbeat.window.count() > 0, "heartbeat_window", "must be more than 0")
      .check(heartbeat.registration || heartbeat.allowed.empty(), "heartbeat_allowed",
             "has no effect while routing.heartbeat_registration is false");
}

// [[routes]]: sender_domain, tag, metadata = "key=value", pool; every value
// a string.
Result<std::vector<RouteRule>, ConfigError> read_routes(ConfigFile& file) {
  std::vector<RouteRule> rules;
  for (const auto& table : file.tables("routes")) {
    RouteRule r;
    for (const auto& entry : table.entries) {
      std::string path = table.path + "." + entry.key;
      if (!entry.is_string) return ConfigError{path, "expected a string"};
      if (entry.key == "sender_domain") {
        r.sender_domain = entry.text;
      } else if (entry.key == "tag") {
        r.tag = entry.text;
      } else if (entry.key == "pool") {
        r.pool = entry.text;
      } else if (entry.key == "metadata") {
        auto eq = entry.text.find('=');
        if (eq == std::string::npos || eq == 0) return ConfigError{path, "expected \"key=value\""};
        r.metadata_key = entry.text.substr(0, eq);
        r.metadata_value = entry.text.substr(eq + 1);
      } else {
        return ConfigError{path, "unknown key (sender_domain, tag, metadata, pool)"};
      }
    }
    if (r.pool.empty()) return ConfigError{table.path + ".pool", "is required"};
    if (r.sender_domain.empty() && r.tag.empty() && r.metadata_key.empty())
      return ConfigError{table.path, "needs at least one of sender_domain, tag or metadata"};
    rules.push_back(std::move(r));
  }
  return file.result(std::move(rules));
}

// Heartbeat registrations may bring a pool later; without them, a route to
// a pool no provider serves would only ever defer its mail.
Result<void, ConfigError> check_routed_pools(const RoutingConfig& c) {
  if (c.router.heartbeat.registration) return {};
  std::set<std::string> pools;
  for (const auto& p : c.providers) pools.insert(p.pool);
  if (c.providers.empty()) pools.insert(ProviderConfig{}.pool);  // the capture provider's
  const auto& rules = c.router.routes.rules();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!pools.contains(rules[i].pool))
      return ConfigError{"routes[" + std::to_string(i) + "].pool",
                         "no provider is in pool '" + rules[i].pool + "'"};
  }
  return {};
}

}  // namespace

Result<RoutingConfig, ConfigError> read_routing_config(ConfigFile& file) {
  RoutingConfig c;
  auto& o = c.router;
  auto s = file.section("routing");
  std::string default_pool = o.routes.default_pool();
  s.text("strategy", o.strategy).text("default_pool", default_pool);
  s.check(make_strategy(o.strategy) != nullptr, "strategy",
          "expected one of " + known_strategies() + "; got '" + o.strategy + "'")
      .check(!default_pool.empty(), "default_pool", "must not be empty");
  read_health(s, o.probe, o.outlier, o.heartbeat);
  auto rules = read_routes(file);
  if (!rules) return rules.error();
  o.routes = RouteTable(std::move(*rules), std::move(default_pool));
  auto providers = read_providers(file);
  if (!providers) return providers.error();
  c.providers = std::move(*providers);
  if (auto ok = check_routed_pools(c); !ok) return ok.error();
  return file.result(std::move(c));
}

}  // namespace postern::routing
