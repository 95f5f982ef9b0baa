// A RoutingStore in memory for tests of the routing service: the rows of
// run-time changes and of provider health per node, writes answered at
// once on the caller's thread; refuses writes while `fail` is set, and
// health reads while `fail_reads` is. Every node on it hears of every
// save, as on PostgreSQL; a node's watch reads it from a thread of its
// own: the lock.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "routing/runtime_changes.h"
#include "store/routing_store.h"

namespace postern::test {

class MemoryRoutingStore final : public store::RoutingStore {
 public:
  explicit MemoryRoutingStore(const Clock* clock = nullptr) : clock_(clock) {}

  void save(store::RoutingChanges changes, store::Completion<void> done) override {
    if (fail) return done(error_code(Errc::storage_full));
    {
      std::lock_guard lock(mu);
      ++saves;
      routing::apply_changes(changes, providers, settings);
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

  void record_provider_health(std::string node, std::vector<store::ProviderHealthRow> rows,
                              store::Completion<void> done) override {
    if (fail) return done(error_code(Errc::storage_full));
    {
      std::lock_guard lock(mu);
      ++health_writes;
      std::erase_if(health, [&](const auto& kv) { return kv.first.second == node; });
      for (auto& r : rows) {
        r.node = node;
        r.updated_at = clock_ ? clock_->now() : SystemTime{};
        health[{r.provider, node}] = std::move(r);
      }
    }
    done({});
  }
  Result<std::vector<store::ProviderHealthRow>> provider_health() override {
    std::lock_guard lock(mu);
    ++health_reads;
    if (fail_reads) return error_code(Errc::storage_unavailable);
    std::vector<store::ProviderHealthRow> out;
    for (const auto& [_, r] : health) out.push_back(r);
    return out;
  }

  std::mutex mu;  // what follows, while a node may read
  routing::StoredProviders providers;
  routing::StoredSettings settings;
  bool fail = false;
  int saves = 0;
  std::vector<std::function<void()>> listeners;
  std::map<std::pair<std::string, std::string>, store::ProviderHealthRow>
      health;  // by provider, node
  int health_writes = 0;
  int health_reads = 0;  // tried, failed ones included
  bool fail_reads = false;

 private:
  const Clock* clock_;
};

}  // namespace postern::test
