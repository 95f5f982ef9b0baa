// The router at run time: creates providers through the registry (from the
// configuration, the API and heartbeat registrations), applies a reloaded
// configuration, runs the probes and the health timer on the I/O threads,
// and answers the management API. The composition root owns one.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "providers/provider_config.h"
#include "routing/event_bus.h"
#include "routing/router.h"
#include "routing/routing_config.h"

namespace postern::net {
class IoRuntime;
}
namespace postern::providers {
class ProviderRegistry;
struct ProviderContext;
}  // namespace postern::providers

namespace postern::routing {

// Why a management call was refused; the API maps it to a status.
enum class RoutingErrc {
  not_found,  // 404
  conflict,   // 409
  invalid,    // 422, naming the field
  forbidden,  // 403 (heartbeat registration refused)
};

struct RoutingError {
  RoutingErrc code = RoutingErrc::invalid;
  std::string field;
  std::string message;
};

struct HeartbeatRequest {
  std::string name;
  // Connection details; needed by the first beat of a name not known yet.
  std::optional<ProviderConfig> details;
  std::optional<std::chrono::milliseconds> ttl;  // default: routing.heartbeat_window
};

struct HeartbeatReply {
  bool registered = false;  // this beat created the provider
  bool returned = false;    // it had lapsed and is back in the active set
  std::chrono::milliseconds ttl{0};
  ProviderView provider;
};

// Only the fields given change (PUT /v1/routing).
struct RoutingUpdate {
  std::optional<std::string> strategy;
  std::optional<std::string> default_pool;
  std::optional<std::vector<RouteRule>> routes;
};

class RoutingService {
 public:
  // `event_boot`: this start's number, for the event ids (event_ids.h).
  RoutingService(net::IoRuntime& io, const providers::ProviderRegistry& registry,
                 providers::ProviderContext& context, const Clock& clock, MetricsRegistry& metrics,
                 std::uint32_t event_boot = 1);
  ~RoutingService();
  RoutingService(const RoutingService&) = delete;
  RoutingService& operator=(const RoutingService&) = delete;

  // Makes routing and the file's providers match `config` (at start and on
  // SIGHUP): new ones are added, changed ones updated (new settings: a new
  // connection, the old one drains), missing ones drained and removed.
  // Providers from the API and from heartbeats are left alone. All or
  // nothing: if any provider cannot be created, nothing changes and the
  // error names its key. Returns a one-line summary of what changed.
  Result<std::string, ConfigError> apply(const RoutingConfig& config);

  // Starts the health timer (probes, heartbeat lapses, ejection ends,
  // event-stream pings) on the I/O threads; stop() ends it.
  void start();
  void stop();

  Router& router() { return router_; }
  EventBus& events() { return events_; }

  // --- the management API (thread-safe) ---
  std::vector<ProviderView> list() const { return router_.providers(); }
  Result<ProviderView, RoutingError> get(const std::string& name) const;
  // The current definition of a provider, for a PUT that changes part of it.
  Result<ProviderConfig, RoutingError> definition(const std::string& name) const;
  Result<ProviderView, RoutingError> create(ProviderConfig config);
  Result<ProviderView, RoutingError> update(ProviderConfig config);
  Result<ProviderView, RoutingError> remove(const std::string& name);
  Result<ProviderView, RoutingError> set_admin(const std::string& name, AdminState state);
  Result<HeartbeatReply, RoutingError> heartbeat(HeartbeatRequest request);
  RoutingView routing() const { return router_.routing(); }
  Result<RoutingView, RoutingError> set_routing(RoutingUpdate update);

 private:
  struct Impl;
  Result<std::unique_ptr<providers::Provider>, RoutingError> build(
      const ProviderConfig& config) const;

  const providers::ProviderRegistry& registry_;
  providers::ProviderContext& context_;
  EventBus events_;
  Router router_;
  // Serializes changes of membership, so that "is it there?" and "add it"
  // are one step.
  mutable std::mutex admin_mu_;
  std::shared_ptr<Impl> impl_;  // the health timer
};

}  // namespace postern::routing
