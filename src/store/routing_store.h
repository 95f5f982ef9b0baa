// Providers and routing settings changed at run time (the API, heartbeat
// registrations), kept so that they survive a restart and, on a shared
// database, every node has the same view (docs/routing.md "Run-time
// changes"). The routing service owns what the rows mean: definitions and
// values are its JSON text, stored as given (secrets included, as the API
// or the relay sent them); this store only keeps them durable.
//
// Writes are group-committed as the Store's (store.h: completions, threads,
// errors storage_full, storage_unavailable, overloaded, shutting_down);
// reads are synchronous and see committed data.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/store.h"

namespace postern::store {

// One provider's run-time state, by name.
struct StoredProvider {
  std::string name;
  // "api" or "heartbeat": a provider created at run time (definition is
  // whole); "config": a change to a provider of the file (definition holds
  // only what changed, or the provider was removed).
  std::string source;
  std::string definition;  // JSON text, the routing service's
  // The file's entry for this name when the change was made ("" when the
  // file had none): the change holds while the file still says that.
  std::string file_entry;
  bool removed = false;               // a file's provider removed at run time
  std::string admin = "active";       // active, paused, draining
  std::int64_t heartbeat_ttl_ms = 0;  // a registered relay's window
  SystemTime updated_at{};            // set by the store
};

// One routing setting changed at run time ("strategy", "default_pool",
// "routes"): its value and the file's at the time, both JSON text.
struct StoredRoutingSetting {
  std::string key;
  std::string value;
  std::string file_value;
  SystemTime updated_at{};  // set by the store
};

// What one change writes; applied in one transaction, in this order.
struct RoutingChanges {
  std::vector<std::string> delete_providers;
  std::vector<StoredProvider> put_providers;  // insert or replace, by name
  std::vector<std::string> delete_settings;
  std::vector<StoredRoutingSetting> put_settings;  // insert or replace, by key

  bool empty() const {
    return delete_providers.empty() && put_providers.empty() && delete_settings.empty() &&
           put_settings.empty();
  }
};

struct RuntimeRouting {
  std::vector<StoredProvider> providers;       // by name
  std::vector<StoredRoutingSetting> settings;  // by key
};

// --- Provider health per node ---
// Each node probes and watches the providers from its own network, so a
// provider's health is per node. Each node keeps its own rows here (the
// routing service's health share, routing/health_share.h) and reads
// every node's, so that any node shows how all of them see a provider.

// One provider as one node sees it.
struct ProviderHealthRow {
  std::string node;
  std::string provider;
  std::string state;  // routing::ProviderState's name
  std::string reason;
  SystemTime since{};  // in this state since
  // Integers, stored as they are on both backends: the EWMA latency on
  // accepted messages, and the share of answers that succeeded lately in
  // parts per million (none: no answers lately).
  std::int64_t latency_us = 0;
  std::optional<std::int64_t> success_ppm;
  SystemTime updated_at{};  // set by the store
};

// Rows of a node not written for this long are dropped by any node's next
// write: a node taken away does not stay listed for good.
inline constexpr auto kProviderHealthKept = std::chrono::hours(24);

class RoutingStore {
 public:
  virtual ~RoutingStore() = default;

  virtual void save(RoutingChanges changes, Completion<void> done) = 0;
  // Drops every run-time change (`postern routing reset`); answers how many
  // rows there were.
  virtual void clear(Completion<std::size_t> done) = 0;
  virtual Result<RuntimeRouting> load() = 0;

  // --- Provider health per node ---

  // Replaces the rows of `node` with `rows` (their node is not read), all
  // stamped with the store's time: a provider the node no longer has loses
  // its row. Drops the rows of any node older than kProviderHealthKept.
  virtual void record_provider_health(std::string node, std::vector<ProviderHealthRow> rows,
                                      Completion<void> done) = 0;
  // Every node's rows, by provider then node.
  virtual Result<std::vector<ProviderHealthRow>> provider_health() = 0;
  // `listener` runs once routing changes were committed by any writer (this
  // node's included: reloading finds nothing new), and when notices may
  // have been missed (a listening session made again), so that a node
  // sharing the store with others reloads what they changed. It runs on a
  // thread of the store and must return at once (post the work elsewhere).
  // One listener; it must stay callable as long as the store lives.
  virtual void on_change(std::function<void()> listener) = 0;
};

}  // namespace postern::store
