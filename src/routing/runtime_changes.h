// Run-time changes (the API, heartbeat registrations) as the store keeps
// them, and how they meet the configuration file at start and on reload
// (docs/routing.md "Run-time changes"): a change to a name the file
// defines holds while the file's entry for that name is what it was when
// the change was made; once the file's entry changes, the file wins.
// Operator states (paused, draining) hold whatever the file does. Sans-io:
// the routing service keeps a copy of the rows, computes here what each
// change writes, and writes it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/provider_config.h"
#include "routing/health/provider_state.h"
#include "routing/provider_slot.h"
#include "routing/router.h"
#include "store/routing_store.h"

namespace postern::routing {

using StoredProviders = std::map<std::string, store::StoredProvider>;
using StoredSettings = std::map<std::string, store::StoredRoutingSetting>;

std::optional<AdminState> admin_state(std::string_view text);

// A provider's definition as stored: every key (a provider made at run
// time), or only the keys that differ from the file's definition (null:
// a setting the change removed).
std::string definition_json(const ProviderConfig& config);
std::string patch_json(const ProviderConfig& file, const ProviderConfig& now);
// Reads either back onto `config`; errors name the key.
Result<void, ConfigError> apply_definition(std::string_view json, ProviderConfig& config);

// The row that keeps a provider's run-time state, or none when there is
// nothing to keep (a file's provider as the file says, active). `file` is
// the file's definition of that name, if any.
struct ProviderRecord {
  std::string name;
  ProviderSource source = ProviderSource::api;
  std::optional<ProviderConfig> definition;  // none: removed
  const ProviderConfig* file = nullptr;
  AdminState admin = AdminState::active;
  std::chrono::milliseconds heartbeat_ttl{0};
};
std::optional<store::StoredProvider> provider_row(const ProviderRecord& record);

// The routing settings a change may set: their stored value (JSON text),
// and a stored value read back onto options.
inline constexpr std::string_view kRoutingSettings[] = {"strategy", "default_pool", "routes"};
std::string setting_json(std::string_view key, const RouterOptions& options);
Result<void, ConfigError> apply_setting(std::string_view key, std::string_view json,
                                        RouterOptions& options);

// The file's providers and routing with the changes that still hold.
struct Overlay {
  // The file's providers, changed as stored; without those removed at
  // run time and those whose name a run-time provider holds.
  std::vector<ProviderConfig> file_providers;
  RouterOptions router;
  std::vector<store::StoredProvider> runtime;  // providers made at run time
  std::map<std::string, AdminState> admin;     // operator states other than active
  store::RoutingChanges cleanup;               // rows the file has overtaken
};
Overlay overlay(const std::vector<ProviderConfig>& file_providers, const RouterOptions& file_router,
                const StoredProviders& providers, const StoredSettings& settings);

// Keeps the copy of the rows in step with a change written to the store.
void apply_changes(const store::RoutingChanges& changes, StoredProviders& providers,
                   StoredSettings& settings);

}  // namespace postern::routing
