// Creates providers of one type from their [[providers]] configuration.
#pragma once

#include <memory>
#include <string_view>

#include "providers/provider.h"
#include "providers/provider_config.h"
#include "providers/provider_context.h"

namespace postern::providers {

class ProviderFactory {
 public:
  virtual ~ProviderFactory() = default;
  virtual std::string_view type() const = 0;
  // Validates the type-specific settings; errors name the key as
  // "<config.key_path>.<setting>".
  virtual Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                                ProviderContext& context) const = 0;
};

}  // namespace postern::providers
