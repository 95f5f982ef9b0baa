// The provider types Postern knows, by name. Filled once at start by
// register_builtin_providers(); owned by the application, not global.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "providers/provider_factory.h"

namespace postern::providers {

class ProviderRegistry {
 public:
  void add(std::unique_ptr<ProviderFactory> factory);
  const ProviderFactory* find(std::string_view type) const;
  std::vector<std::string> types() const;

  // Creates a provider from its configuration; unknown types are an error
  // naming "<key_path>.type" and listing the known ones.
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const;

 private:
  std::map<std::string, std::unique_ptr<ProviderFactory>, std::less<>> factories_;
};

// One line per built-in provider.
void register_builtin_providers(ProviderRegistry& registry);

}  // namespace postern::providers
