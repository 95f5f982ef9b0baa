// What the tests of run-time changes share: a routing store kept in
// memory that several nodes (routing services) use, as they would a
// PostgreSQL database, and a fixture starting such nodes.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <vector>

#include "routing/routing_service.h"
#include "routing/runtime_changes.h"
#include "routing/sync_routing.h"

namespace postern::routing::test_support {

using namespace std::chrono_literals;

// The rows of a store, in memory; refuses writes while `fail` is set.
// Every node on it hears of every save, as on PostgreSQL. A node's watch
// reads it from a thread of its own: the lock.
class MemoryRoutingStore final : public store::RoutingStore {
 public:
  void save(store::RoutingChanges changes, store::Completion<void> done) override {
    if (fail) return done(error_code(Errc::storage_full));
    {
      std::lock_guard lock(mu);
      ++saves;
      apply_changes(changes, providers, settings);
    }
    done({});
    for (auto& l : listeners) l();
  }
  void on_change(std::function<void()> listener) override {
    listeners.push_back(std::move(listener));
  }
  void clear(store::Completion<std::size_t> done) override {
    std::unique_lock lock(mu);
    auto n = providers.size() + settings.size();
    providers.clear();
    settings.clear();
    lock.unlock();
    done(n);
  }
  Result<store::RuntimeRouting> load() override {
    std::lock_guard lock(mu);
    store::RuntimeRouting out;
    for (auto& [_, p] : providers) out.providers.push_back(p);
    for (auto& [_, s] : settings) out.settings.push_back(s);
    return out;
  }

  std::mutex mu;  // what follows, while a node may read
  StoredProviders providers;
  StoredSettings settings;
  bool fail = false;
  int saves = 0;
  std::vector<std::function<void()>> listeners;
};

inline ProviderConfig capture(const std::string& name, const std::string& entry = "") {
  ProviderConfig c;
  c.name = name;
  c.type = "capture";
  c.key_path = "providers[" + name + "]";
  c.file_entry = entry.empty() ? "name=" + name + "\ntype=capture\n" : entry;
  return c;
}

inline ProviderConfig api_capture(const std::string& name) {
  ProviderConfig c;
  c.name = name;
  c.type = "capture";
  c.key_path = "settings";
  return c;
}

// One node: a routing service keeping its changes in the shared store.
struct Node {
  Node(net::IoRuntime& io, providers::ProviderContext& context,
       const providers::ProviderRegistry& registry, test::FakeClock& clock,
       MetricsRegistry& metrics, store::RoutingStore& store)
      : service(io, registry, context, clock, metrics), manage(service) {
    service.keep_changes_in(store);
  }
  std::map<std::string, ProviderView> views() {
    std::map<std::string, ProviderView> out;
    for (auto& v : service.list()) out.emplace(v.name, v);
    return out;
  }
  RoutingService service;
  test::SyncRouting manage;
};

class RuntimeChangesTest : public ::testing::Test, protected test::RoutingServiceDeps {
 protected:
  RuntimeChangesTest() { file_.providers = {capture("a"), capture("b")}; }

  // A (re)started node applying `file`.
  std::unique_ptr<Node> start(const RoutingConfig& file) {
    auto node = std::make_unique<Node>(io_, context_, registry_, clock_, metrics_, store_);
    auto applied = node->service.apply(file);
    EXPECT_TRUE(applied) << applied.error().to_string();
    return node;
  }

  MemoryRoutingStore store_;
  RoutingConfig file_;
};

}  // namespace postern::routing::test_support
