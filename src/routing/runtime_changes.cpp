#include "routing/runtime_changes.h"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "routing/strategy.h"

namespace postern::routing {
namespace json = boost::json;

namespace {

Result<json::value, ConfigError> parse(std::string_view text, std::string_view key) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec) return ConfigError{std::string(key), "stored value is not JSON: " + ec.message()};
  return v;
}

// What a row keeps of a provider the file has overtaken: only the
// operator's state, if any.
std::optional<store::StoredProvider> admin_only(const std::string& name, const std::string& admin,
                                                const std::string& file_entry) {
  if (admin_state(admin).value_or(AdminState::active) == AdminState::active) return std::nullopt;
  store::StoredProvider row;
  row.name = name;
  row.source = "config";
  row.definition = "{}";
  row.file_entry = file_entry;
  row.admin = admin;
  return row;
}

void keep_or_drop(std::optional<store::StoredProvider> row, const std::string& name, Overlay& out) {
  if (row) {
    out.admin[name] = *admin_state(row->admin);
    out.cleanup.put_providers.push_back(std::move(*row));
  } else {
    out.cleanup.delete_providers.push_back(name);
  }
}

}  // namespace

std::optional<AdminState> admin_state(std::string_view text) {
  for (auto s : {AdminState::active, AdminState::draining, AdminState::paused}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string definition_json(const ProviderConfig& config) {
  json::object o;
  for (const auto& [k, v] : provider_keys(config)) o[k] = v;
  return json::serialize(o);
}

std::string patch_json(const ProviderConfig& file, const ProviderConfig& now) {
  auto before = provider_keys(file);
  auto after = provider_keys(now);
  json::object o;
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    if (it == before.end() || it->second != v) o[k] = v;
  }
  for (const auto& [k, _] : before) {
    if (!after.contains(k)) o[k] = nullptr;
  }
  o.erase("name");
  return json::serialize(o);
}

Result<void, ConfigError> apply_definition(std::string_view text, ProviderConfig& config) {
  auto v = parse(text, config.name);
  if (!v) return v.error();
  if (!v->is_object()) return ConfigError{config.name, "stored definition is not an object"};
  for (const auto& [k, value] : v->get_object()) {
    std::string key(k);
    if (value.is_null()) {
      config.settings.erase(key);
    } else if (!value.is_string()) {
      return ConfigError{config.name + "." + key, "stored value is not text"};
    } else if (auto ok = set_provider_key(config, key, std::string(value.get_string())); !ok) {
      return ok.error();
    }
  }
  return {};
}

std::optional<store::StoredProvider> provider_row(const ProviderRecord& r) {
  std::string file_entry = r.file ? r.file->file_entry : "";
  std::string admin(to_string(r.admin));
  // A run-time provider removed over a file's of that name (which was
  // removed first) leaves the file's removed.
  if (r.source == ProviderSource::config || (!r.definition && r.file)) {
    // A file's provider: what the change made of it, against the file.
    if (!r.file) return std::nullopt;  // the file dropped it meanwhile
    auto patch = r.definition ? patch_json(*r.file, *r.definition) : "{}";
    if (r.definition && patch == "{}") return admin_only(r.name, admin, file_entry);
    store::StoredProvider row;
    row.name = r.name;
    row.source = "config";
    row.definition = std::move(patch);
    row.file_entry = std::move(file_entry);
    row.removed = !r.definition;
    row.admin = r.definition ? admin : "active";
    return row;
  }
  if (!r.definition) return std::nullopt;  // made at run time, removed at run time
  store::StoredProvider row;
  row.name = r.name;
  row.source = std::string(to_string(r.source));
  row.definition = definition_json(*r.definition);
  row.file_entry = std::move(file_entry);
  row.admin = std::move(admin);
  row.heartbeat_ttl_ms = r.heartbeat_ttl.count();
  return row;
}

std::string setting_json(std::string_view key, const RouterOptions& options) {
  if (key == "strategy") return json::serialize(json::value(options.strategy));
  if (key == "default_pool") return json::serialize(json::value(options.routes.default_pool()));
  json::array routes;
  for (const auto& r : options.routes.rules()) {
    routes.emplace_back(json::object{{"sender_domain", r.sender_domain},
                                     {"tag", r.tag},
                                     {"metadata_key", r.metadata_key},
                                     {"metadata_value", r.metadata_value},
                                     {"pool", r.pool}});
  }
  return json::serialize(routes);
}

Result<void, ConfigError> apply_setting(std::string_view key, std::string_view text,
                                        RouterOptions& options) {
  auto v = parse(text, key);
  if (!v) return v.error();
  ConfigError bad{std::string(key), "stored value is not valid"};
  if (key == "strategy") {
    if (!v->is_string() || !make_strategy(v->get_string())) return bad;
    options.strategy = std::string(v->get_string());
  } else if (key == "default_pool") {
    if (!v->is_string() || v->get_string().empty()) return bad;
    options.routes = RouteTable(options.routes.rules(), std::string(v->get_string()));
  } else if (key == "routes") {
    if (!v->is_array()) return bad;
    std::vector<RouteRule> rules;
    for (const auto& item : v->get_array()) {
      if (!item.is_object()) return bad;
      RouteRule r;
      for (auto [field, target] :
           {std::pair{"sender_domain", &r.sender_domain}, std::pair{"tag", &r.tag},
            std::pair{"metadata_key", &r.metadata_key},
            std::pair{"metadata_value", &r.metadata_value}, std::pair{"pool", &r.pool}}) {
        const auto* f = item.get_object().if_contains(field);
        if (!f || !f->is_string()) return bad;
        *target = std::string(f->get_string());
      }
      rules.push_back(std::move(r));
    }
    options.routes = RouteTable(std::move(rules), options.routes.default_pool());
  } else {
    return ConfigError{std::string(key), "not a routing setting"};
  }
  return {};
}

Overlay overlay(const std::vector<ProviderConfig>& file_providers, const RouterOptions& file_router,
                const StoredProviders& providers, const StoredSettings& settings) {
  Overlay out;
  out.router = file_router;
  std::set<std::string> in_file;
  for (const auto& pc : file_providers) {
    in_file.insert(pc.name);
    auto it = providers.find(pc.name);
    if (it == providers.end()) {
      out.file_providers.push_back(pc);
      continue;
    }
    const auto& row = it->second;
    if (row.file_entry != pc.file_entry) {
      // The file's entry changed since the change was made: the file wins.
      spdlog::info("routing: provider {} changed in the file: its run-time changes are dropped",
                   pc.name);
      out.file_providers.push_back(pc);
      keep_or_drop(admin_only(pc.name, row.admin, pc.file_entry), pc.name, out);
      continue;
    }
    if (row.source != "config") {
      out.runtime.push_back(row);  // a run-time provider holds the name
    } else if (!row.removed) {
      auto changed = pc;
      if (auto ok = apply_definition(row.definition, changed); !ok) {
        spdlog::warn("routing: the stored change of provider {} is not used: {}", pc.name,
                     ok.error().to_string());
        out.file_providers.push_back(pc);
        keep_or_drop(admin_only(pc.name, row.admin, pc.file_entry), pc.name, out);
        continue;
      }
      out.file_providers.push_back(std::move(changed));
    }
    if (auto admin = admin_state(row.admin); admin && *admin != AdminState::active)
      out.admin[pc.name] = *admin;
  }
  for (const auto& [name, row] : providers) {
    if (in_file.contains(name)) continue;
    if (row.source == "config") {
      out.cleanup.delete_providers.push_back(name);  // the file dropped it: nothing to change
      continue;
    }
    out.runtime.push_back(row);
    if (auto admin = admin_state(row.admin); admin && *admin != AdminState::active)
      out.admin[name] = *admin;
  }
  for (const auto& [key, row] : settings) {
    if (row.file_value != setting_json(key, file_router)) {
      spdlog::info("routing: {} changed in the file: its run-time value is dropped", key);
      out.cleanup.delete_settings.push_back(key);
    } else if (auto ok = apply_setting(key, row.value, out.router); !ok) {
      spdlog::warn("routing: the stored {} is not used: {}", key, ok.error().to_string());
      out.cleanup.delete_settings.push_back(key);
    }
  }
  return out;
}

void apply_changes(const store::RoutingChanges& c, StoredProviders& providers,
                   StoredSettings& settings) {
  for (const auto& name : c.delete_providers) providers.erase(name);
  for (const auto& p : c.put_providers) providers[p.name] = p;
  for (const auto& key : c.delete_settings) settings.erase(key);
  for (const auto& s : c.put_settings) settings[s.key] = s;
}

}  // namespace postern::routing
