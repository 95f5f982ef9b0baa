// The management API's calls on the routing service: providers created,
// changed and removed at run time, operator states, heartbeats (which may
// register a provider) and routing changes. Each returns the new view or a
// RoutingError the HTTP layer turns into a status.
#include <spdlog/spdlog.h>

#include "routing/routing_service.h"

namespace postern::routing {

namespace {

RoutingError not_found(const std::string& name) {
  return {RoutingErrc::not_found, "name", "no provider is named '" + name + "'"};
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

Result<void, RoutingError> check_definition(const ProviderConfig& config) {
  if (!valid_name(config.name)) {
    return RoutingError{RoutingErrc::invalid, "name",
                        "a provider name is 1 to 64 letters, digits, '-', '_' or '.'"};
  }
  if (config.type.empty()) return RoutingError{RoutingErrc::invalid, "type", "is required"};
  if (config.pool.empty()) return RoutingError{RoutingErrc::invalid, "pool", "must not be empty"};
  return {};
}

}  // namespace

Result<ProviderView, RoutingError> RoutingService::get(const std::string& name) const {
  auto v = router_.provider(name);
  if (!v) return not_found(name);
  return *v;
}

Result<ProviderConfig, RoutingError> RoutingService::definition(const std::string& name) const {
  auto c = router_.config_of(name);
  if (!c) return not_found(name);
  return *c;
}

Result<ProviderView, RoutingError> RoutingService::create(ProviderConfig config) {
  if (auto ok = check_definition(config); !ok) return ok.error();
  std::lock_guard lock(admin_mu_);
  if (router_.config_of(config.name)) {
    return RoutingError{RoutingErrc::conflict, "name",
                        "a provider named '" + config.name + "' exists"};
  }
  auto provider = build(config);
  if (!provider) return provider.error();
  auto name = config.name;
  router_.add(std::move(*provider), std::move(config), ProviderSource::api);
  return get(name);
}

Result<ProviderView, RoutingError> RoutingService::update(ProviderConfig config) {
  if (auto ok = check_definition(config); !ok) return ok.error();
  std::lock_guard lock(admin_mu_);
  auto current = router_.config_of(config.name);
  auto source = router_.source_of(config.name);
  if (!current || !source) return not_found(config.name);
  auto name = config.name;
  if (same_connection(*current, config)) {
    router_.update(config);
  } else {
    auto provider = build(config);
    if (!provider) return provider.error();
    router_.replace(std::move(*provider), std::move(config), *source);
  }
  return get(name);
}

Result<ProviderView, RoutingError> RoutingService::remove(const std::string& name) {
  std::lock_guard lock(admin_mu_);
  auto view = router_.provider(name);
  if (!view || router_.remove(name) != Change::done) return not_found(name);
  if (auto after = router_.provider(name)) return *after;
  return *view;
}

Result<ProviderView, RoutingError> RoutingService::set_admin(const std::string& name,
                                                             AdminState state) {
  if (router_.set_admin(name, state) != Change::done) return not_found(name);
  return get(name);
}

Result<HeartbeatReply, RoutingError> RoutingService::heartbeat(HeartbeatRequest request) {
  std::lock_guard lock(admin_mu_);
  auto options = router_.options().heartbeat;
  HeartbeatReply reply;
  reply.ttl = request.ttl.value_or(options.window);
  auto source = router_.source_of(request.name);
  if (source && request.details && *source == ProviderSource::heartbeat) {
    // A registered relay may move (new address) or change its attributes.
    auto current = router_.config_of(request.name);
    auto& wanted = *request.details;
    wanted.name = request.name;
    if (current && !same_connection(*current, wanted)) {
      if (auto ok = check_definition(wanted); !ok) return ok.error();
      auto provider = build(wanted);
      if (!provider) return provider.error();
      spdlog::info("routing: provider {} sends new connection details", request.name);
      router_.replace(std::move(*provider), wanted, ProviderSource::heartbeat);
    } else if (current && !same_attributes(*current, wanted)) {
      router_.update(wanted);
    }
  }
  if (!source) {
    if (auto refused = registration_refused(options, request.name)) {
      return RoutingError{RoutingErrc::forbidden, "name", *refused};
    }
    if (!request.details || request.details->type.empty()) {
      return RoutingError{
          RoutingErrc::invalid, "type",
          "the first heartbeat of an unknown provider must carry its type and settings"};
    }
    auto config = std::move(*request.details);
    config.name = request.name;
    if (auto ok = check_definition(config); !ok) return ok.error();
    auto provider = build(config);
    if (!provider) return provider.error();
    router_.add(std::move(*provider), std::move(config), ProviderSource::heartbeat);
    reply.registered = true;
  }
  auto before = router_.provider(request.name);
  bool was_lapsed = before && before->state == ProviderState::lapsed;
  if (router_.heartbeat(request.name, reply.ttl) != Change::done) return not_found(request.name);
  reply.returned = was_lapsed;
  auto view = router_.provider(request.name);
  if (!view) return not_found(request.name);
  reply.provider = std::move(*view);
  return reply;
}

Result<RoutingView, RoutingError> RoutingService::set_routing(RoutingUpdate update) {
  std::lock_guard lock(admin_mu_);
  auto options = router_.options();
  if (update.strategy) {
    if (!make_strategy(*update.strategy)) {
      std::string known;
      for (auto n : strategy_names()) known += (known.empty() ? "" : ", ") + std::string(n);
      return RoutingError{RoutingErrc::invalid, "strategy", "expected one of " + known};
    }
    options.strategy = *update.strategy;
  }
  auto default_pool = update.default_pool.value_or(options.routes.default_pool());
  if (default_pool.empty())
    return RoutingError{RoutingErrc::invalid, "default_pool", "must not be empty"};
  auto rules = update.routes.value_or(options.routes.rules());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto field = "routes[" + std::to_string(i) + "]";
    if (rules[i].pool.empty())
      return RoutingError{RoutingErrc::invalid, field + ".pool", "is required"};
    if (rules[i].sender_domain.empty() && rules[i].tag.empty() && rules[i].metadata_key.empty()) {
      return RoutingError{RoutingErrc::invalid, field,
                          "needs at least one of sender_domain, tag or metadata"};
    }
  }
  options.routes = RouteTable(std::move(rules), std::move(default_pool));
  router_.set_options(options);
  router_.check_routed_pools();
  spdlog::info("routing: strategy {}, {} routes, default pool {} (changed over the API)",
               options.strategy, options.routes.rules().size(), options.routes.default_pool());
  events_.publish("routing_changed", {{"strategy", options.strategy},
                                      {"default_pool", options.routes.default_pool()},
                                      {"routes", options.routes.rules().size()}});
  return router_.routing();
}

}  // namespace postern::routing
