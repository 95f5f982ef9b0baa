// Reading a provider's type-specific settings in its factory: required and
// unknown keys, typed values, base URLs. Every error names the key as
// "<key_path>.<setting>" (e.g. "providers[2].api_key").
#pragma once

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/provider_config.h"

namespace postern::providers::common {

using UrlShorthands = std::vector<std::pair<std::string_view, std::string_view>>;

class ProviderSettings {
 public:
  // Keeps a reference: `config` must outlive this object.
  explicit ProviderSettings(const ProviderConfig& config) : config_(config) {}

  // Fails on the first setting not in `known` (typos must not be ignored).
  Result<void, ConfigError> only(std::initializer_list<std::string_view> known) const;

  // Present and not empty.
  Result<std::string, ConfigError> required(std::string_view key) const;
  std::string text(std::string_view key, std::string_view fallback = "") const;
  bool has(std::string_view key) const;
  // true/false (also yes/no, 1/0).
  Result<bool, ConfigError> flag(std::string_view key, bool fallback) const;
  // "30s", "1500ms", ... (core parse_duration); must be > 0.
  Result<std::chrono::milliseconds, ConfigError> duration(std::string_view key,
                                                          std::chrono::milliseconds fallback) const;
  // An integer in [min, max].
  Result<std::size_t, ConfigError> count(std::string_view key, std::size_t fallback,
                                         std::size_t min, std::size_t max) const;
  // "512", "64KiB", "25MiB" (core parse_size).
  Result<std::size_t, ConfigError> size(std::string_view key, std::size_t fallback) const;
  // One of `choices`.
  Result<std::string, ConfigError> choice(std::string_view key, std::string_view fallback,
                                          std::initializer_list<std::string_view> choices) const;
  // An http:// or https:// URL without query, or a shorthand ("eu") from
  // `shorthands`; returned without a trailing '/'.
  Result<std::string, ConfigError> base_url(std::string_view key, std::string_view fallback,
                                            const UrlShorthands& shorthands = {}) const;

  ConfigError error(std::string_view key, std::string message) const;

 private:
  const std::string* find(std::string_view key) const;
  const ProviderConfig& config_;
};

}  // namespace postern::providers::common
