// The management API's calls on the routing service: providers created,
// changed and removed at run time, operator states, heartbeats (which may
// register a provider) and routing changes. Each answers the new view or a
// RoutingError the HTTP layer turns into a status, once what the store
// keeps of the change is durable (runtime_changes.h).
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

template <class T, class Change>
void RoutingService::change_durably(Change change, Reply<T> done) {
  std::lock_guard lock(admin_mu_);
  store::RoutingChanges writes;
  Result<T, RoutingError> answer = change(writes);
  if (!answer || writes.empty()) return done(std::move(answer));
  apply_changes(writes, stored_, settings_);
  ++local_changes_;
  if (!store_) return done(std::move(answer));
  ++saving_->count;
  store_->save(std::move(writes), [answer = std::move(answer), done = std::move(done),
                                   saving = saving_,
                                   poke = watch_.poke()](Result<void> saved) mutable {
    if (--saving->count == 0 && saving->reload_skipped.exchange(false)) poke();
    if (!saved) {
      spdlog::error("routing: a run-time change could not be saved: {}", saved.error().message());
      return done(RoutingError{RoutingErrc::unavailable, "",
                               "the change is in effect on this node but could not be saved (" +
                                   saved.error().message() + "): it is lost at the next restart"});
    }
    done(std::move(answer));
  });
}

void RoutingService::record(const std::string& name, std::optional<ProviderConfig> definition,
                            ProviderSource source, store::RoutingChanges& writes) {
  ProviderRecord r;
  r.name = name;
  r.source = source;
  r.definition = std::move(definition);
  if (auto it = file_providers_.find(name); it != file_providers_.end()) r.file = &it->second;
  if (auto view = router_.provider(name); view && r.definition) {
    r.admin = view->admin;
    r.heartbeat_ttl = view->heartbeat_ttl;
  }
  if (auto row = provider_row(r)) {
    writes.put_providers.push_back(std::move(*row));
  } else if (stored_.contains(name)) {
    writes.delete_providers.push_back(name);
  }
}

void RoutingService::create(ProviderConfig config, Reply<ProviderView> done) {
  change_durably<ProviderView>(
      [&](store::RoutingChanges& w) { return create_locked(std::move(config), w); },
      std::move(done));
}

void RoutingService::update(ProviderConfig config, Reply<ProviderView> done) {
  change_durably<ProviderView>(
      [&](store::RoutingChanges& w) { return update_locked(std::move(config), w); },
      std::move(done));
}

void RoutingService::remove(const std::string& name, Reply<ProviderView> done) {
  change_durably<ProviderView>([&](store::RoutingChanges& w) { return remove_locked(name, w); },
                               std::move(done));
}

void RoutingService::set_admin(const std::string& name, AdminState state,
                               Reply<ProviderView> done) {
  change_durably<ProviderView>(
      [&](store::RoutingChanges& w) { return set_admin_locked(name, state, w); }, std::move(done));
}

void RoutingService::heartbeat(HeartbeatRequest request, Reply<HeartbeatReply> done) {
  change_durably<HeartbeatReply>(
      [&](store::RoutingChanges& w) { return heartbeat_locked(std::move(request), w); },
      std::move(done));
}

void RoutingService::set_routing(RoutingUpdate update, Reply<RoutingView> done) {
  change_durably<RoutingView>(
      [&](store::RoutingChanges& w) { return set_routing_locked(std::move(update), w); },
      std::move(done));
}

Result<ProviderView, RoutingError> RoutingService::get(const std::string& name) const {
  auto v = router_.provider(name);
  if (!v) return not_found(name);
  std::vector<ProviderView> one{std::move(*v)};
  add_node_health(one);
  return std::move(one.front());
}

Result<ProviderConfig, RoutingError> RoutingService::definition(const std::string& name) const {
  auto c = router_.config_of(name);
  if (!c) return not_found(name);
  return *c;
}

Result<ProviderView, RoutingError> RoutingService::create_locked(ProviderConfig config,
                                                                 store::RoutingChanges& writes) {
  if (auto ok = check_definition(config); !ok) return ok.error();
  if (router_.config_of(config.name)) {
    return RoutingError{RoutingErrc::conflict, "name",
                        "a provider named '" + config.name + "' exists"};
  }
  auto provider = build(config);
  if (!provider) return provider.error();
  auto name = config.name;
  router_.add(std::move(*provider), config, ProviderSource::api);
  record(name, std::move(config), ProviderSource::api, writes);
  return get(name);
}

Result<ProviderView, RoutingError> RoutingService::update_locked(ProviderConfig config,
                                                                 store::RoutingChanges& writes) {
  if (auto ok = check_definition(config); !ok) return ok.error();
  auto current = router_.config_of(config.name);
  auto source = router_.source_of(config.name);
  if (!current || !source) return not_found(config.name);
  auto name = config.name;
  if (same_connection(*current, config)) {
    router_.update(config);
  } else {
    auto provider = build(config);
    if (!provider) return provider.error();
    router_.replace(std::move(*provider), config, *source);
  }
  record(name, std::move(config), *source, writes);
  return get(name);
}

Result<ProviderView, RoutingError> RoutingService::remove_locked(const std::string& name,
                                                                 store::RoutingChanges& writes) {
  auto view = router_.provider(name);
  auto source = router_.source_of(name);
  if (!view || !source || router_.remove(name) != Change::done) return not_found(name);
  record(name, std::nullopt, *source, writes);
  if (auto after = router_.provider(name)) return *after;
  return *view;
}

Result<ProviderView, RoutingError> RoutingService::set_admin_locked(const std::string& name,
                                                                    AdminState state,
                                                                    store::RoutingChanges& writes) {
  if (router_.set_admin(name, state) != Change::done) return not_found(name);
  record(name, router_.config_of(name), *router_.source_of(name), writes);
  return get(name);
}

Result<HeartbeatReply, RoutingError> RoutingService::heartbeat_locked(
    HeartbeatRequest request, store::RoutingChanges& writes) {
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
  // A registered relay is kept with its details and window; a beat that
  // changes neither writes nothing.
  if (view->source == ProviderSource::heartbeat) {
    auto before = stored_.find(request.name);
    record(request.name, router_.config_of(request.name), ProviderSource::heartbeat, writes);
    if (before != stored_.end() && writes.put_providers.size() == 1) {
      const auto& now = writes.put_providers.front();
      if (now.definition == before->second.definition &&
          now.heartbeat_ttl_ms == before->second.heartbeat_ttl_ms &&
          now.admin == before->second.admin)
        writes.put_providers.clear();
    }
  }
  reply.provider = std::move(*view);
  return reply;
}

Result<RoutingView, RoutingError> RoutingService::set_routing_locked(
    RoutingUpdate update, store::RoutingChanges& writes) {
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
  // Each setting the call named is kept unless it is back to the file's.
  for (auto key : kRoutingSettings) {
    bool given = key == "strategy"       ? update.strategy.has_value()
                 : key == "default_pool" ? update.default_pool.has_value()
                                         : update.routes.has_value();
    if (!given) continue;
    auto value = setting_json(key, options);
    auto file_value = setting_json(key, file_router_);
    if (value != file_value) {
      writes.put_settings.push_back({std::string(key), value, file_value, {}});
    } else if (settings_.contains(std::string(key))) {
      writes.delete_settings.emplace_back(key);
    }
  }
  spdlog::info("routing: strategy {}, {} routes, default pool {} (changed over the API)",
               options.strategy, options.routes.rules().size(), options.routes.default_pool());
  events_.publish("routing_changed", {{"strategy", options.strategy},
                                      {"default_pool", options.routes.default_pool()},
                                      {"routes", options.routes.rules().size()}});
  return router_.routing();
}

}  // namespace postern::routing
