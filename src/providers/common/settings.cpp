#include "providers/common/settings.h"

#include <algorithm>
#include <boost/url/parse.hpp>

#include "core/decimal.h"

namespace postern::providers::common {

namespace {

// ConfigError can be built from a string too, so say which side is meant.
Result<std::string, ConfigError> text_value(std::string value) {
  return {boost::system::in_place_value, std::move(value)};
}

}  // namespace

ConfigError ProviderSettings::error(std::string_view key, std::string message) const {
  return ConfigError{config_.key_path + "." + std::string(key), std::move(message)};
}

const std::string* ProviderSettings::find(std::string_view key) const {
  auto it = config_.settings.find(std::string(key));
  return it == config_.settings.end() ? nullptr : &it->second;
}

bool ProviderSettings::has(std::string_view key) const { return find(key) != nullptr; }

Result<void, ConfigError> ProviderSettings::only(
    std::initializer_list<std::string_view> known) const {
  for (const auto& [key, _] : config_.settings) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return error(key, "unknown key for a " + config_.type + " provider (known: " + list + ")");
    }
  }
  return {};
}

Result<std::string, ConfigError> ProviderSettings::required(std::string_view key) const {
  const auto* value = find(key);
  if (!value || value->empty())
    return error(key, "is required for a " + config_.type + " provider");
  return text_value(*value);
}

std::string ProviderSettings::text(std::string_view key, std::string_view fallback) const {
  const auto* value = find(key);
  return value ? *value : std::string(fallback);
}

Result<bool, ConfigError> ProviderSettings::flag(std::string_view key, bool fallback) const {
  const auto* value = find(key);
  if (!value) return fallback;
  if (*value == "true" || *value == "yes" || *value == "1") return true;
  if (*value == "false" || *value == "no" || *value == "0") return false;
  return error(key, "expected true or false, got '" + *value + "'");
}

Result<std::chrono::milliseconds, ConfigError> ProviderSettings::duration(
    std::string_view key, std::chrono::milliseconds fallback) const {
  const auto* value = find(key);
  if (!value) return fallback;
  auto parsed = parse_duration(*value);
  if (!parsed) return error(key, parsed.error().message);
  if (parsed->count() <= 0) return error(key, "must be longer than 0");
  return *parsed;
}

Result<std::size_t, ConfigError> ProviderSettings::count(std::string_view key, std::size_t fallback,
                                                         std::size_t min, std::size_t max) const {
  const auto* value = find(key);
  if (!value) return fallback;
  auto n = parse_decimal<std::size_t>(*value);
  if (!n || *n < min || *n > max) {
    return error(key, "expected an integer from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", got '" + *value + "'");
  }
  return *n;
}

Result<std::size_t, ConfigError> ProviderSettings::size(std::string_view key,
                                                        std::size_t fallback) const {
  const auto* value = find(key);
  if (!value) return fallback;
  auto parsed = parse_size(*value);
  if (!parsed) return error(key, parsed.error().message);
  return *parsed;
}

Result<std::string, ConfigError> ProviderSettings::choice(
    std::string_view key, std::string_view fallback,
    std::initializer_list<std::string_view> choices) const {
  std::string value = text(key, fallback);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return text_value(value);
  std::string list;
  for (auto c : choices) list += (list.empty() ? "\"" : ", \"") + std::string(c) + "\"";
  return error(key, "expected one of " + list + ", got '" + value + "'");
}

Result<std::string, ConfigError> ProviderSettings::base_url(std::string_view key,
                                                            std::string_view fallback,
                                                            const UrlShorthands& shorthands) const {
  std::string value = text(key, fallback);
  for (const auto& [name, url] : shorthands) {
    if (value == name) return text_value(std::string(url));
  }
  auto parsed = boost::urls::parse_absolute_uri(value);
  bool ok = parsed && (parsed->scheme() == "http" || parsed->scheme() == "https") &&
            !parsed->encoded_host().empty() && !parsed->has_query() && !parsed->has_fragment();
  if (!ok) {
    std::string hint;
    for (const auto& [name, _] : shorthands)
      hint += std::string(hint.empty() ? " or " : ", ") + "\"" + std::string(name) + "\"";
    return error(key, "expected an http:// or https:// URL" + hint + ", got '" + value + "'");
  }
  while (!value.empty() && value.back() == '/') value.pop_back();
  return text_value(value);
}

}  // namespace postern::providers::common
