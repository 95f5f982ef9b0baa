#include "http/routing_json.h"

#include <strings.h>

#include <boost/json/parse.hpp>
#include <cstdio>

#include "core/time_format.h"
#include "http/responses.h"
#include "routing/strategy.h"

namespace postern::http {
namespace json = boost::json;

namespace {

json::value time_or_null(const std::optional<SystemTime>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::value text_or_null(std::string_view s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

std::int64_t ms(std::chrono::milliseconds d) { return d.count(); }

// Settings are shown so that an operator can see where a provider points,
// but never its credentials.
bool secret_key(std::string_view key) {
  for (std::string_view word : {"key", "secret", "password", "token"}) {
    for (std::size_t i = 0; i + word.size() <= key.size(); ++i) {
      if (strncasecmp(key.data() + i, word.data(), word.size()) == 0) return true;
    }
  }
  return false;
}

FieldError invalid(std::string field, std::string message) {
  return {"invalid_value", std::move(message), std::move(field)};
}

// A JSON scalar as configuration text ("2526", "true", "2.5").
std::optional<std::string> scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_double()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v.get_double());
    return std::string(buf);
  }
  return std::nullopt;
}

Result<std::chrono::milliseconds, FieldError> duration_value(const json::value& v,
                                                             const std::string& field) {
  auto text = scalar_text(v);
  if (!text || v.is_bool())
    return invalid(field, "expected a duration such as \"30s\" or a number of seconds");
  auto d = v.is_double() ? Result<std::chrono::milliseconds, Problem>(std::chrono::milliseconds(
                               static_cast<std::int64_t>(v.get_double() * 1000)))
                         : parse_duration(*text);
  if (!d) return invalid(field, d.error().message);
  return *d;
}

// How each node sharing the store sees the provider (routing/health_share.h).
json::array nodes_json(const std::vector<routing::NodeHealthView>& nodes) {
  json::array out;
  for (const auto& n : nodes) {
    out.emplace_back(json::object{
        {"node", n.node},
        {"state", n.state},
        {"reason", n.reason},
        {"since", format_rfc3339(n.since)},
        {"updated_at", format_rfc3339(n.updated_at)},
        {"stale", n.stale},
        {"latency_ms", n.latency_ms},
        {"success_rate", n.success_rate ? json::value(*n.success_rate) : json::value(nullptr)},
    });
  }
  return out;
}

}  // namespace

json::object provider_json(const routing::ProviderView& v) {
  json::object settings;
  for (const auto& [k, value] : v.settings) settings[k] = secret_key(k) ? "***" : value;
  json::object o{
      {"name", v.name},
      {"type", v.type},
      {"pool", v.pool},
      {"source", routing::to_string(v.source)},
      {"weight", v.weight},
      {"priority", v.priority},
      {"state", routing::to_string(v.state)},
      {"check", text_or_null(routing::to_string(v.check))},
      {"reason", v.reason},
      {"since", format_rfc3339(v.since)},
      {"admin", routing::to_string(v.admin)},
      {"settings", std::move(settings)},
      {"probe", json::object{{"enabled", v.probe_enabled},
                             {"healthy", v.probe_healthy},
                             {"last_at", time_or_null(v.probe_at)},
                             {"last_ok", v.probe_ok},
                             {"detail", v.probe_detail},
                             {"latency_ms", v.probe_latency_ms},
                             {"consecutive_failures", v.probe_failures}}},
      {"outlier",
       json::object{{"phase", v.outlier == routing::OutlierPhase::ok        ? "ok"
                              : v.outlier == routing::OutlierPhase::ejected ? "ejected"
                                                                            : "half_open"},
                    {"ejections", v.ejections},
                    {"ejected_until", time_or_null(v.ejected_until)},
                    {"consecutive_failures", v.consecutive_failures}}},
      {"heartbeat", v.heartbeat_watched
                        ? json::value(json::object{{"last_at", time_or_null(v.heartbeat_at)},
                                                   {"ttl_ms", ms(v.heartbeat_ttl)}})
                        : json::value(nullptr)},
      {"latency_ms", v.latency_ms},
      {"success_rate", v.success_rate ? json::value(*v.success_rate) : json::value(nullptr)},
      {"in_flight", v.in_flight},
      {"attempts_last_minute", v.attempts_last_minute},
      {"share", v.share},
      {"rate_limit", v.rate_limit > 0
                         ? json::value(json::object{{"rate", v.rate_limit},
                                                    {"burst", v.burst},
                                                    {"tokens", v.tokens},
                                                    {"paused_until", time_or_null(v.paused_until)}})
                         : json::value(nullptr)},
      {"paused_until", time_or_null(v.paused_until)},
      {"max_concurrency",
       v.max_concurrency > 0 ? json::value(v.max_concurrency) : json::value(nullptr)},
      {"concurrency_limit",
       v.max_concurrency > 0 ? json::value(v.concurrency_limit) : json::value(nullptr)},
  };
  if (v.nodes) o["nodes"] = nodes_json(*v.nodes);
  return o;
}

json::object routing_json(const routing::RoutingView& v) {
  json::array routes;
  for (const auto& r : v.routes) {
    json::object o;
    if (!r.sender_domain.empty()) o["sender_domain"] = r.sender_domain;
    if (!r.tag.empty()) o["tag"] = r.tag;
    if (!r.metadata_key.empty()) o["metadata"] = json::object{{r.metadata_key, r.metadata_value}};
    o["pool"] = r.pool;
    routes.emplace_back(std::move(o));
  }
  json::array pools;
  for (const auto& p : v.pools) {
    json::array names;
    for (const auto& n : p.providers) names.emplace_back(n);
    pools.emplace_back(
        json::object{{"name", p.name}, {"providers", std::move(names)}, {"active", p.active}});
  }
  json::array strategies;
  for (auto n : routing::strategy_names()) strategies.emplace_back(n);
  json::array allowed;
  for (const auto& n : v.heartbeat.allowed) allowed.emplace_back(n);
  return json::object{
      {"strategy", v.strategy},
      {"strategies", std::move(strategies)},
      {"default_pool", v.default_pool},
      {"routes", std::move(routes)},
      {"pools", std::move(pools)},
      {"health", json::object{{"probe_interval_ms", ms(v.probe.interval)},
                              {"probe_timeout_ms", ms(v.probe.timeout)},
                              {"probe_jitter_ms", ms(v.probe.jitter)},
                              {"unhealthy_threshold", v.probe.unhealthy_threshold},
                              {"healthy_threshold", v.probe.healthy_threshold}}},
      {"outlier", json::object{{"consecutive_failures", v.outlier.consecutive_failures},
                               {"consecutive_down", v.outlier.consecutive_down},
                               {"error_rate", v.outlier.error_rate},
                               {"throttle_rate", v.outlier.throttle_rate},
                               {"min_requests", v.outlier.min_requests},
                               {"error_window_ms", ms(v.outlier.window)},
                               {"base_ejection_ms", ms(v.outlier.base_ejection)},
                               {"max_ejection_ms", ms(v.outlier.max_ejection)},
                               {"trial_successes", v.outlier.trial_successes}}},
      {"heartbeat", json::object{{"window_ms", ms(v.heartbeat.window)},
                                 {"registration", v.heartbeat.registration},
                                 {"allowed", std::move(allowed)}}},
  };
}

net::HttpResponse routing_error_response(const routing::RoutingError& e) {
  switch (e.code) {
    case routing::RoutingErrc::not_found:
      return error_response(404, "not_found", e.message, e.field);
    case routing::RoutingErrc::conflict:
      return error_response(409, "conflict", e.message, e.field);
    case routing::RoutingErrc::forbidden:
      return error_response(403, "registration_refused", e.message, e.field);
    case routing::RoutingErrc::unavailable:
      return error_response(503, "unavailable", e.message, e.field);
    case routing::RoutingErrc::invalid:
      break;
  }
  return error_response(422, "invalid_value", e.message, e.field);
}

Result<json::object, FieldError> json_object_body(const std::string& body) {
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec || !doc.is_object())
    return FieldError{"invalid_json", "the body must be a JSON object", ""};
  return std::move(doc.get_object());
}

Result<void, FieldError> apply_provider_body(const json::object& body, bool allow_name,
                                             ProviderConfig& config,
                                             std::optional<std::chrono::milliseconds>* ttl) {
  config.key_path.clear();
  for (const auto& [k, value] : body) {
    std::string key(k);
    if (key == "settings") {
      if (!value.is_object())
        return invalid("settings", "expected an object of strings, numbers or booleans");
      config.settings.clear();
      for (const auto& [sk, sv] : value.get_object()) {
        auto text = scalar_text(sv);
        if (!text)
          return invalid("settings." + std::string(sk), "expected a string, number or boolean");
        config.settings[std::string(sk)] = *text;
      }
      continue;
    }
    if (key == "ttl" && ttl) {
      auto d = duration_value(value, "ttl");
      if (!d) return d.error();
      if (*d < std::chrono::milliseconds(100) || *d > std::chrono::hours(24)) {
        return invalid("ttl", "expected from 100ms to 24h");
      }
      *ttl = *d;
      continue;
    }
    static const char* const kFields[] = {"name",     "type",       "pool",  "weight",
                                          "priority", "rate_limit", "burst", "max_concurrency",
                                          "probe"};
    bool known = std::find(std::begin(kFields), std::end(kFields), key) != std::end(kFields);
    if (!known || (key == "name" && !allow_name)) {
      return invalid(key, key == "name" ? "the name is in the path" : "unknown field");
    }
    auto text = scalar_text(value);
    if (!text) return invalid(key, "expected a string, number or boolean");
    if (auto ok = set_provider_key(config, key, *text); !ok)
      return invalid(ok.error().key, ok.error().message);
  }
  // Factory errors then name "settings.<key>".
  config.key_path = "settings";
  return {};
}

Result<void, FieldError> merge_provider_settings(const std::map<std::string, std::string>& current,
                                                 json::object& body) {
  auto* given = body.if_contains("settings");
  if (!given) return {};
  if (!given->is_object())
    return invalid("settings", "expected an object of strings, numbers, booleans or null");
  json::object merged;
  for (const auto& [k, v] : current) merged[k] = v;
  for (const auto& [k, v] : given->get_object()) {
    if (v.is_null())
      merged.erase(k);
    else
      merged[k] = v;
  }
  *given = std::move(merged);
  return {};
}

Result<routing::RoutingUpdate, FieldError> parse_routing_update(const json::object& body) {
  routing::RoutingUpdate u;
  for (const auto& [k, value] : body) {
    std::string key(k);
    if (key == "strategy" || key == "default_pool") {
      if (!value.is_string()) return invalid(key, "expected a string");
      (key == "strategy" ? u.strategy : u.default_pool) = std::string(value.get_string());
    } else if (key == "routes") {
      if (!value.is_array()) return invalid("routes", "expected an array of routes");
      std::vector<routing::RouteRule> rules;
      const auto& array = value.get_array();
      for (std::size_t i = 0; i < array.size(); ++i) {
        auto field = "routes[" + std::to_string(i) + "]";
        if (!array[i].is_object()) return invalid(field, "expected an object");
        routing::RouteRule r;
        for (const auto& [rk, rv] : array[i].get_object()) {
          std::string name(rk);
          if (name == "metadata") {
            // {"key": "value"} or "key=value"
            if (rv.is_object() && rv.get_object().size() == 1 &&
                rv.get_object().begin()->value().is_string()) {
              r.metadata_key = std::string(rv.get_object().begin()->key());
              r.metadata_value = std::string(rv.get_object().begin()->value().get_string());
            } else if (rv.is_string() && rv.get_string().find('=') != json::string::npos &&
                       rv.get_string().find('=') > 0) {
              std::string text(rv.get_string());
              r.metadata_key = text.substr(0, text.find('='));
              r.metadata_value = text.substr(text.find('=') + 1);
            } else {
              return invalid(field + ".metadata", "expected {\"key\": \"value\"} or \"key=value\"");
            }
            continue;
          }
          if (!rv.is_string()) return invalid(field + "." + name, "expected a string");
          if (name == "sender_domain")
            r.sender_domain = std::string(rv.get_string());
          else if (name == "tag")
            r.tag = std::string(rv.get_string());
          else if (name == "pool")
            r.pool = std::string(rv.get_string());
          else
            return invalid(field + "." + name,
                           "unknown field (sender_domain, tag, metadata, pool)");
        }
        rules.push_back(std::move(r));
      }
      u.routes = std::move(rules);
    } else {
      return invalid(key, "unknown field (strategy, default_pool, routes)");
    }
  }
  return u;
}

}  // namespace postern::http
