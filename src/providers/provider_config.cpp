#include "providers/provider_config.h"

#include <charconv>
#include <set>

#include "core/decimal.h"

namespace postern {

Result<void, ConfigError> set_provider_key(ProviderConfig& p, const std::string& key,
                                           const std::string& text) {
  std::string kp = p.key_path.empty() ? key : p.key_path + "." + key;
  auto whole = [&](std::size_t max) -> Result<std::size_t, ConfigError> {
    auto v = parse_decimal<std::size_t>(text);
    if (!v || *v > max)
      return ConfigError{kp, "expected an integer from 0 to " + std::to_string(max)};
    return *v;
  };
  if (key == "name" || key == "type" || key == "pool") {
    if (text.empty()) return ConfigError{kp, "must not be empty"};
    (key == "name" ? p.name : key == "type" ? p.type : p.pool) = text;
  } else if (key == "weight" || key == "priority") {
    auto v = whole(kMaxProviderWeight);
    if (!v) return v.error();
    (key == "weight" ? p.weight : p.priority) = static_cast<int>(*v);
  } else if (key == "burst" || key == "max_concurrency") {
    auto v = whole(kMaxProviderBurst);
    if (!v) return v.error();
    (key == "burst" ? p.burst : p.max_concurrency) = *v;
  } else if (key == "rate_limit") {
    auto v = parse_non_negative(text);
    if (!v) return ConfigError{kp, "expected messages per second (a number, 0 for no limit)"};
    p.rate_limit = *v;
  } else if (key == "probe") {
    if (text != "true" && text != "false") return ConfigError{kp, "expected true or false"};
    p.probe = text == "true";
  } else {
    p.settings[key] = text;
  }
  return {};
}

std::map<std::string, std::string> provider_keys(const ProviderConfig& p) {
  auto keys = p.settings;
  keys["name"] = p.name;
  keys["type"] = p.type;
  keys["pool"] = p.pool;
  keys["weight"] = std::to_string(p.weight);
  keys["priority"] = std::to_string(p.priority);
  // The shortest text that reads back as the same double.
  char rate[32];
  auto end = std::to_chars(rate, rate + sizeof rate, p.rate_limit).ptr;
  keys["rate_limit"] = std::string(rate, end);
  keys["burst"] = std::to_string(p.burst);
  keys["max_concurrency"] = std::to_string(p.max_concurrency);
  keys["probe"] = p.probe ? "true" : "false";
  return keys;
}

Result<std::vector<ProviderConfig>, ConfigError> read_providers(ConfigFile& file) {
  std::vector<ProviderConfig> providers;
  std::set<std::string> names;
  for (const auto& table : file.tables("providers")) {
    ProviderConfig p;
    p.key_path = table.path;
    std::map<std::string, std::string> written;
    for (const auto& entry : table.entries) {
      written[entry.key] = entry.text;
      std::string text = entry.text;
      if (entry.is_string) {
        auto resolved = resolve_secret(entry.text, file.environment());
        if (!resolved) return ConfigError{table.path + "." + entry.key, resolved.error().message};
        text = std::move(*resolved);
      }
      if (auto ok = set_provider_key(p, entry.key, text); !ok) return ok.error();
    }
    for (const auto& [key, text] : written) p.file_entry += key + "=" + text + "\n";
    if (p.name.empty()) return ConfigError{table.path + ".name", "is required"};
    if (p.type.empty()) return ConfigError{table.path + ".type", "is required"};
    if (!names.insert(p.name).second)
      return ConfigError{table.path + ".name", "duplicate provider name '" + p.name + "'"};
    providers.push_back(std::move(p));
  }
  return file.result(std::move(providers));
}

}  // namespace postern
