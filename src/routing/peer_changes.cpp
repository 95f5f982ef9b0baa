// Run-time changes other nodes made in the shared store (docs/routing.md
// "Run-time changes"): on the store's change notice, and every
// kPeerSyncPeriod, the rows are read again and, when they differ from
// those this node knows, the router is brought in line with them.
#include <spdlog/spdlog.h>

#include <set>

#include "routing/routing_service.h"

namespace postern::routing {
namespace {

// The rows as the routing service reads them (updated_at is the store's).
bool same_row(const store::StoredProvider& a, const store::StoredProvider& b) {
  return a.name == b.name && a.source == b.source && a.definition == b.definition &&
         a.file_entry == b.file_entry && a.removed == b.removed && a.admin == b.admin &&
         a.heartbeat_ttl_ms == b.heartbeat_ttl_ms;
}

bool same_setting(const store::StoredRoutingSetting& a, const store::StoredRoutingSetting& b) {
  return a.key == b.key && a.value == b.value && a.file_value == b.file_value;
}

template <class Map, class Same>
bool same_rows(const Map& a, const Map& b, Same same) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](const auto& x, const auto& y) { return same(x.second, y.second); });
}

}  // namespace

bool RoutingService::sync() {
  if (!store_) return false;
  std::uint64_t seen = 0;
  {
    std::lock_guard lock(admin_mu_);
    if (!applied_) return false;
    seen = local_changes_;
  }
  // The read happens without admin_mu_ (the API is not held up by it); a
  // change of this node made meanwhile, or not yet committed, may be
  // missing from what it reads, so such a read is not used.
  auto skip = [this] {
    saving_->reload_skipped = true;
    if (saving_->count == 0) saving_->reload_skipped = false;  // its answer came meanwhile
    return false;
  };
  if (saving_->count > 0) return skip();
  auto rows = store_->load();
  if (!rows) {
    spdlog::warn("routing: cannot read the run-time changes of other nodes: {}",
                 rows.error().message());
    return false;
  }
  StoredProviders providers;
  StoredSettings settings;
  for (auto& p : rows->providers) providers[p.name] = std::move(p);
  for (auto& st : rows->settings) settings[st.key] = std::move(st);

  std::lock_guard lock(admin_mu_);
  if (local_changes_ != seen || saving_->count > 0) return skip();
  if (same_rows(providers, stored_, same_row) && same_rows(settings, settings_, same_setting))
    return false;
  auto layered = overlay(file_order_, file_router_, providers, settings);
  auto file = merge_file(layered);
  if (!file) {
    // All or nothing, as a reload of the file: the next notice tries again.
    spdlog::error("routing: the run-time changes of other nodes cannot be applied: {}",
                  file.error().to_string());
    return false;
  }
  stored_ = std::move(providers);
  settings_ = std::move(settings);
  auto runtime = merge_runtime(layered);
  merge_admin(layered);
  router_.check_routed_pools();
  spdlog::info(
      "routing: changes of other nodes applied: providers: {} added, {} changed, {} removed; "
      "strategy {}",
      file->added + runtime.added, file->changed + runtime.changed, file->removed + runtime.removed,
      router_.options().strategy);
  return true;
}

// Providers made at run time, as the rows say: new ones built and added,
// changed ones updated (new connection settings: a new provider, the old
// one drains), gone ones drained and removed. A relay registered through
// another node gets a window from now here: its beats reach that node.
RoutingService::Counts RoutingService::merge_runtime(const Overlay& layered) {
  Counts counts;
  std::set<std::string> wanted;
  for (const auto& row : layered.runtime) {
    wanted.insert(row.name);
    auto read = runtime_config(row);
    if (!read) continue;
    auto& [config, source] = *read;
    auto current = router_.config_of(row.name);
    auto view = router_.provider(row.name);
    const std::chrono::milliseconds ttl(row.heartbeat_ttl_ms);
    bool beat = false;
    if (current && router_.source_of(row.name) == source && same_connection(*current, config)) {
      if (!same_attributes(*current, config)) {
        router_.update(config);
        ++counts.changed;
      }
      beat = view && view->heartbeat_ttl != ttl;
    } else {
      auto provider = build_stored(config);
      if (!provider) continue;
      if (current) {
        router_.replace(std::move(provider), std::move(config), source);
        ++counts.changed;
      } else {
        router_.add(std::move(provider), std::move(config), source);
        ++counts.added;
      }
      beat = true;
    }
    if (beat && source == ProviderSource::heartbeat && ttl.count() > 0)
      router_.heartbeat(row.name, ttl);
  }
  for (auto source : {ProviderSource::api, ProviderSource::heartbeat}) {
    for (const auto& name : router_.names(source)) {
      if (wanted.contains(name)) continue;
      router_.remove(name);
      ++counts.removed;
    }
  }
  return counts;
}

// Operator states as stored: those not stored are active.
void RoutingService::merge_admin(const Overlay& layered) {
  for (const auto& view : router_.providers()) {
    auto it = layered.admin.find(view.name);
    auto wanted = it == layered.admin.end() ? AdminState::active : it->second;
    if (view.admin != wanted) router_.set_admin(view.name, wanted);
  }
}

}  // namespace postern::routing
