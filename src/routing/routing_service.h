// The router at run time: creates providers through the registry (from the
// configuration, the API and heartbeat registrations), applies a reloaded
// configuration, runs the probes and the health timer on the I/O threads,
// and answers the management API. The composition root owns one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "providers/provider_config.h"
#include "routing/change_watch.h"
#include "routing/event_bus.h"
#include "routing/health_share.h"
#include "routing/router.h"
#include "routing/routing_config.h"
#include "routing/runtime_changes.h"
#include "store/routing_store.h"

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
  not_found,    // 404
  conflict,     // 409
  invalid,      // 422, naming the field
  forbidden,    // 403 (heartbeat registration refused)
  unavailable,  // 503: the change could not be saved
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

// The answer of a management call that changes something: once the change
// is durable in the store (at once without one). It may run on the store's
// writer thread, or inline; it must not call back into the service.
template <class T>
using Reply = std::function<void(Result<T, RoutingError>)>;

// How often a node reloads the shared store's routing rows without a
// change notice: the safety net for a notice lost in a reconnection.
inline constexpr std::chrono::seconds kPeerSyncPeriod{30};

class RoutingService {
 public:
  // `event_boot`: this start's number, for the event ids (event_ids.h).
  RoutingService(net::IoRuntime& io, const providers::ProviderRegistry& registry,
                 providers::ProviderContext& context, const Clock& clock, MetricsRegistry& metrics,
                 std::uint32_t event_boot = 1);
  ~RoutingService();
  RoutingService(const RoutingService&) = delete;
  RoutingService& operator=(const RoutingService&) = delete;

  // Keeps run-time changes in `store` from now on; before the first
  // apply(), which restores those already there (docs/routing.md
  // "Run-time changes"). Without it they last until the process ends.
  void keep_changes_in(store::RoutingStore& store) { store_ = &store; }
  // Shares this node's provider health through the store of
  // keep_changes_in(), as `node` (health_share.h): written by the health
  // timer, read back into list() and get(). Before start().
  void share_health_as(std::string node, std::chrono::milliseconds period = kHealthSharePeriod);

  // Makes routing and the file's providers match `config` (at start and on
  // SIGHUP), with the run-time changes that still hold (runtime_changes.h):
  // new ones are added, changed ones updated (new settings: a new
  // connection, the old one drains), missing ones drained and removed.
  // Providers from the API and from heartbeats are left alone; the first
  // apply() brings back those of the store. All or nothing: if any
  // provider cannot be created, nothing changes and the error names its
  // key. Returns a one-line summary of what changed.
  Result<std::string, ConfigError> apply(const RoutingConfig& config);

  // Starts the health timer (probes, heartbeat lapses, ejection ends,
  // event-stream pings) on the I/O threads and, with a store, the watch
  // that runs sync() on the store's change notices and every
  // kPeerSyncPeriod; stop() ends both.
  void start();
  void stop();

  // Reloads the store's rows and, when another node changed them, brings
  // this node's router in line (docs/routing.md "Run-time changes"): the
  // merge apply() makes, with the file as last applied. Nothing happens
  // when the rows are this node's own (no provider is built again), before
  // the first apply(), or while a change of this node is being saved (its
  // notice brings the next reload). Blocks on the store's read: not for an
  // I/O thread. Answers whether the router changed.
  bool sync();

  Router& router() { return router_; }
  EventBus& events() { return events_; }

  // --- the management API (thread-safe) ---
  // With every node's view of each provider when health is shared.
  std::vector<ProviderView> list() const;
  Result<ProviderView, RoutingError> get(const std::string& name) const;
  // The current definition of a provider, for a PUT that changes part of it.
  Result<ProviderConfig, RoutingError> definition(const std::string& name) const;
  // Changes: in effect at once, answered once durable.
  void create(ProviderConfig config, Reply<ProviderView> done);
  void update(ProviderConfig config, Reply<ProviderView> done);
  void remove(const std::string& name, Reply<ProviderView> done);
  void set_admin(const std::string& name, AdminState state, Reply<ProviderView> done);
  // Written only when it registers the provider or changes what is kept
  // of it (details, window): ordinary beats are answered at once.
  void heartbeat(HeartbeatRequest request, Reply<HeartbeatReply> done);
  RoutingView routing() const { return router_.routing(); }
  void set_routing(RoutingUpdate update, Reply<RoutingView> done);

 private:
  struct Impl;
  Result<std::unique_ptr<providers::Provider>, RoutingError> build(
      const ProviderConfig& config) const;
  // The changes themselves, with admin_mu_ held; `writes` receives what
  // the store must keep of them.
  Result<ProviderView, RoutingError> create_locked(ProviderConfig config,
                                                   store::RoutingChanges& writes);
  Result<ProviderView, RoutingError> update_locked(ProviderConfig config,
                                                   store::RoutingChanges& writes);
  Result<ProviderView, RoutingError> remove_locked(const std::string& name,
                                                   store::RoutingChanges& writes);
  Result<ProviderView, RoutingError> set_admin_locked(const std::string& name, AdminState state,
                                                      store::RoutingChanges& writes);
  Result<HeartbeatReply, RoutingError> heartbeat_locked(HeartbeatRequest request,
                                                        store::RoutingChanges& writes);
  Result<RoutingView, RoutingError> set_routing_locked(RoutingUpdate update,
                                                       store::RoutingChanges& writes);
  // Runs `change` under admin_mu_ and hands its writes to the store in the
  // same step (so the store sees changes in the order they were made);
  // `done` gets the answer once they are durable.
  template <class T, class Change>
  void change_durably(Change change, Reply<T> done);
  // What the store keeps of `name` now (definition none: removed).
  void record(const std::string& name, std::optional<ProviderConfig> definition,
              ProviderSource source, store::RoutingChanges& writes);
  // First apply(): the store's rows, and the run-time providers built again.
  Result<void, ConfigError> load_stored();
  std::size_t restore_runtime(const std::vector<store::StoredProvider>& rows);
  // A stored run-time provider's definition and source, and the provider
  // built; errors are logged and answer none (the row stays in the store).
  std::optional<std::pair<ProviderConfig, ProviderSource>> runtime_config(
      const store::StoredProvider& row) const;
  std::unique_ptr<providers::Provider> build_stored(const ProviderConfig& config) const;
  // What apply() and sync() share, with admin_mu_ held: the file's
  // providers (as overlaid) and routing made current. All or nothing.
  struct Counts {
    std::size_t added = 0, changed = 0, removed = 0;
  };
  Result<Counts, ConfigError> merge_file(const Overlay& layered);
  // sync(): the run-time providers and operator states made as stored.
  Counts merge_runtime(const Overlay& layered);
  void merge_admin(const Overlay& layered);
  void save_now(const store::RoutingChanges& writes);
  // Fills each view's nodes from the shared health (nothing when not shared).
  void add_node_health(std::vector<ProviderView>& views) const;

  const providers::ProviderRegistry& registry_;
  providers::ProviderContext& context_;
  const Clock& clock_;
  EventBus events_;
  Router router_;
  // Serializes changes of membership, so that "is it there?" and "add it"
  // are one step.
  mutable std::mutex admin_mu_;
  store::RoutingStore* store_ = nullptr;
  // Guarded by admin_mu_: the store's rows as last written, the file's
  // definitions and routing as last applied, and whether apply() ran.
  StoredProviders stored_;
  StoredSettings settings_;
  std::map<std::string, ProviderConfig> file_providers_;
  std::vector<ProviderConfig> file_order_;  // the same, in the file's order
  RouterOptions file_router_;
  bool applied_ = false;
  // Changes this node made (guarded by admin_mu_), and its saves not yet
  // answered: a reload that overlaps either may not see them, so sync()
  // leaves it to the next notice.
  std::uint64_t local_changes_ = 0;
  struct Saving {
    std::atomic<int> count{0};
    std::atomic<bool> reload_skipped{false};  // poke the watch once the count is 0
  };
  std::shared_ptr<Saving> saving_ = std::make_shared<Saving>();
  ChangeWatch watch_;
  std::shared_ptr<HealthShare> health_share_;  // set before start(), then only read
  std::shared_ptr<Impl> impl_;                 // the health timer
};

}  // namespace postern::routing
