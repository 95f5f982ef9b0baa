// One upstream as configured: a [[providers]] table of the file, or the
// body of a provider created through the API. The keys every provider has
// are fields; the rest stay in `settings` for the type's factory, which
// refuses those it does not know.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/config.h"

namespace postern {

// Bounds of the integer keys every provider has.
inline constexpr std::size_t kMaxProviderWeight = 1000000;  // weight, priority
inline constexpr std::size_t kMaxProviderBurst = 1000000;   // burst, max_concurrency

struct ProviderConfig {
  std::string name;
  std::string type;
  std::string pool = "default";
  int weight = 1;                               // weighted strategy
  int priority = 1;                             // priority strategy: lower first
  double rate_limit = 0;                        // messages per second; 0: none
  std::size_t burst = 0;                        // 0: one second's worth (at least 1)
  std::size_t max_concurrency = 0;              // attempts in flight; 0: no cap
  bool probe = true;                            // active health probes
  std::map<std::string, std::string> settings;  // secrets already resolved
  std::string key_path;                         // "providers[2]", for error messages
  // The file's [[providers]] table as written (env: and file: references
  // unresolved), one "key=text" line per key in key order; empty for a
  // provider not from the file. A run-time change to a file's provider
  // holds while this stays the same (docs/routing.md "Run-time changes").
  std::string file_entry;
};

// Sets one key given as text: the keys every provider has (name, type,
// pool, weight, priority, rate_limit, burst, max_concurrency, probe) become
// fields, the rest go to settings. Errors name "<key_path>.<key>".
Result<void, ConfigError> set_provider_key(ProviderConfig& provider, const std::string& key,
                                           const std::string& text);

// Every key of `provider` as set_provider_key takes it (the fields, then
// the settings): set_provider_key on each gives the same definition back.
std::map<std::string, std::string> provider_keys(const ProviderConfig& provider);

// Every [[providers]] table, secrets (env:NAME, file:PATH) resolved. Errors:
// a missing name or type, a duplicate name, a value set_provider_key
// refuses. The type's own keys are checked later, by its factory.
Result<std::vector<ProviderConfig>, ConfigError> read_providers(ConfigFile& file);

}  // namespace postern
