#include "core/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>
#include <variant>

#include "core/ascii.h"
#include "core/decimal.h"

extern char** environ;

namespace postern {
namespace {

// Why a value was refused; a type of its own so that results whose value is
// itself a string stay unambiguous.
struct Invalid {
  std::string why;
};

using Value = std::variant<std::string, std::int64_t, bool, std::chrono::milliseconds, std::size_t,
                           std::vector<std::string>, double>;
enum class Kind { string, integer, boolean, duration, size, string_list, number };

struct Field {
  std::string_view section;
  std::string_view key;
  Kind kind;
  std::function<void(Config&, const Value&)> apply;
};

template <class Get>
Field string_field(std::string_view s, std::string_view k, Get get) {
  return {s, k, Kind::string,
          [get](Config& c, const Value& v) { get(c) = std::get<std::string>(v); }};
}
template <class Get>
Field bool_field(std::string_view s, std::string_view k, Get get) {
  return {s, k, Kind::boolean, [get](Config& c, const Value& v) { get(c) = std::get<bool>(v); }};
}
template <class Get>
Field count_field(std::string_view s, std::string_view k, Get get) {
  return {s, k, Kind::integer, [get](Config& c, const Value& v) {
            get(c) =
                static_cast<std::remove_reference_t<decltype(get(c))>>(std::get<std::int64_t>(v));
          }};
}
template <class Get>
Field size_field(std::string_view s, std::string_view k, Get get) {
  return {s, k, Kind::size,
          [get](Config& c, const Value& v) { get(c) = std::get<std::size_t>(v); }};
}
template <class Get>
Field duration_field(std::string_view s, std::string_view k, Get get) {
  return {s, k, Kind::duration, [get](Config& c, const Value& v) {
            using D = std::remove_reference_t<decltype(get(c))>;
            get(c) = std::chrono::duration_cast<D>(std::get<std::chrono::milliseconds>(v));
          }};
}
template <class Get>
Field number_field(std::string_view s, std::string_view k, Get get) {
  return {s, k, Kind::number, [get](Config& c, const Value& v) { get(c) = std::get<double>(v); }};
}
template <class Get>
Field list_field(std::string_view s, std::string_view k, Get get) {
  return {s, k, Kind::string_list,
          [get](Config& c, const Value& v) { get(c) = std::get<std::vector<std::string>>(v); }};
}

// Every scalar key Postern knows. [[providers]] is handled separately.
const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      string_field(
          "http", "listen", [](Config & c) -> auto& { return c.http.listen; }),
      count_field(
          "http", "threads", [](Config & c) -> auto& { return c.http.threads; }),
      size_field(
          "http", "max_body_bytes", [](Config & c) -> auto& { return c.http.max_body_bytes; }),
      duration_field(
          "http", "idle_timeout", [](Config & c) -> auto& { return c.http.idle_timeout; }),
      duration_field(
          "http", "request_timeout", [](Config & c) -> auto& { return c.http.request_timeout; }),
      duration_field(
          "http", "max_wait", [](Config & c) -> auto& { return c.http.max_wait; }),
      count_field(
          "http", "max_connections", [](Config & c) -> auto& { return c.http.max_connections; }),
      string_field(
          "smtp", "listen", [](Config & c) -> auto& { return c.smtp.listen; }),
      list_field(
          "smtp", "trusted_networks", [](Config & c) -> auto& { return c.smtp.trusted_networks; }),
      string_field(
          "smtp", "hostname", [](Config & c) -> auto& { return c.smtp.hostname; }),
      string_field(
          "smtp", "tls_listen", [](Config & c) -> auto& { return c.smtp.tls_listen; }),
      bool_field(
          "smtp", "auth_without_tls", [](Config & c) -> auto& { return c.smtp.auth_without_tls; }),
      count_field(
          "smtp", "max_connections", [](Config & c) -> auto& { return c.smtp.max_connections; }),
      count_field(
          "smtp", "max_connections_per_address",
          [](Config & c) -> auto& { return c.smtp.max_connections_per_address; }),
      duration_field(
          "smtp", "idle_timeout", [](Config & c) -> auto& { return c.smtp.idle_timeout; }),
      duration_field(
          "smtp", "session_timeout", [](Config & c) -> auto& { return c.smtp.session_timeout; }),
      count_field(
          "smtp", "max_errors", [](Config & c) -> auto& { return c.smtp.max_errors; }),
      string_field(
          "tls", "cert", [](Config & c) -> auto& { return c.tls.cert; }),
      string_field(
          "tls", "key", [](Config & c) -> auto& { return c.tls.key; }),
      string_field(
          "imap", "listen", [](Config & c) -> auto& { return c.imap.listen; }),
      string_field(
          "store", "backend", [](Config & c) -> auto& { return c.store.backend; }),
      string_field(
          "store", "path", [](Config & c) -> auto& { return c.store.path; }),
      string_field(
          "store", "url", [](Config & c) -> auto& { return c.store.url; }),
      count_field(
          "store", "max_batch", [](Config & c) -> auto& { return c.store.max_batch; }),
      bool_field(
          "store", "fsync", [](Config & c) -> auto& { return c.store.fsync; }),
      duration_field(
          "store", "retention", [](Config & c) -> auto& { return c.store.retention; }),
      string_field(
          "routing", "strategy", [](Config & c) -> auto& { return c.routing.strategy; }),
      string_field(
          "routing", "default_pool", [](Config & c) -> auto& { return c.routing.default_pool; }),
      duration_field(
          "routing", "probe_interval",
          [](Config & c) -> auto& { return c.routing.probe_interval; }),
      duration_field(
          "routing", "probe_timeout", [](Config & c) -> auto& { return c.routing.probe_timeout; }),
      duration_field(
          "routing", "probe_jitter", [](Config & c) -> auto& { return c.routing.probe_jitter; }),
      count_field(
          "routing", "unhealthy_threshold",
          [](Config & c) -> auto& { return c.routing.unhealthy_threshold; }),
      count_field(
          "routing", "healthy_threshold",
          [](Config & c) -> auto& { return c.routing.healthy_threshold; }),
      count_field(
          "routing", "consecutive_failures",
          [](Config & c) -> auto& { return c.routing.consecutive_failures; }),
      count_field(
          "routing", "consecutive_down",
          [](Config & c) -> auto& { return c.routing.consecutive_down; }),
      number_field(
          "routing", "error_rate", [](Config & c) -> auto& { return c.routing.error_rate; }),
      number_field(
          "routing", "throttle_rate", [](Config & c) -> auto& { return c.routing.throttle_rate; }),
      count_field(
          "routing", "min_requests", [](Config & c) -> auto& { return c.routing.min_requests; }),
      duration_field(
          "routing", "error_window", [](Config & c) -> auto& { return c.routing.error_window; }),
      duration_field(
          "routing", "base_ejection", [](Config & c) -> auto& { return c.routing.base_ejection; }),
      duration_field(
          "routing", "max_ejection", [](Config & c) -> auto& { return c.routing.max_ejection; }),
      count_field(
          "routing", "trial_successes",
          [](Config & c) -> auto& { return c.routing.trial_successes; }),
      duration_field(
          "routing", "heartbeat_window",
          [](Config & c) -> auto& { return c.routing.heartbeat_window; }),
      bool_field(
          "routing", "heartbeat_registration",
          [](Config & c) -> auto& { return c.routing.heartbeat_registration; }),
      list_field(
          "routing", "heartbeat_allowed",
          [](Config & c) -> auto& { return c.routing.heartbeat_allowed; }),
      bool_field(
          "delivery", "enabled", [](Config & c) -> auto& { return c.delivery.enabled; }),
      count_field(
          "delivery", "window", [](Config & c) -> auto& { return c.delivery.window; }),
      duration_field(
          "delivery", "lease", [](Config & c) -> auto& { return c.delivery.lease; }),
      duration_field(
          "delivery", "max_age", [](Config & c) -> auto& { return c.delivery.max_age; }),
      duration_field(
          "delivery", "initial_backoff",
          [](Config & c) -> auto& { return c.delivery.initial_backoff; }),
      duration_field(
          "delivery", "max_backoff", [](Config & c) -> auto& { return c.delivery.max_backoff; }),
      duration_field(
          "delivery", "poll_interval",
          [](Config & c) -> auto& { return c.delivery.poll_interval; }),
      duration_field(
          "delivery", "max_hold", [](Config & c) -> auto& { return c.delivery.max_hold; }),
      size_field(
          "messages", "max_message_bytes",
          [](Config & c) -> auto& { return c.messages.max_message_bytes; }),
      count_field(
          "messages", "max_recipients",
          [](Config & c) -> auto& { return c.messages.max_recipients; }),
      string_field(
          "log", "level", [](Config & c) -> auto& { return c.log.level; }),
      string_field(
          "log", "format", [](Config & c) -> auto& { return c.log.format; }),
  };
  return table;
}

const Field* find_field(std::string_view section, std::string_view key) {
  for (const auto& f : fields()) {
    if (f.section == section && f.key == key) return &f;
  }
  return nullptr;
}

bool known_section(std::string_view section) {
  for (const auto& f : fields()) {
    if (f.section == section) return true;
  }
  return false;
}

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::string:
      return "a string";
    case Kind::integer:
      return "a non-negative integer";
    case Kind::boolean:
      return "true or false";
    case Kind::duration:
      return "a duration such as \"30s\"";
    case Kind::size:
      return "a size such as \"25MiB\"";
    case Kind::string_list:
      return "a list of strings";
    case Kind::number:
      return "a number";
  }
  return "a value";
}

// A whole text that is a number of 0 or more (rates, fractions).
std::optional<double> parse_non_negative(std::string_view text) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

Result<Value, Invalid> value_from_text(Kind kind, std::string_view text) {
  switch (kind) {
    case Kind::string:
      return Value(std::string(text));
    case Kind::integer: {
      auto v = parse_decimal<std::int64_t>(text);
      if (!v) return Invalid{std::string("expected ") + std::string(kind_name(kind))};
      return Value(*v);
    }
    case Kind::boolean:
      if (text == "true" || text == "1" || text == "yes") return Value(true);
      if (text == "false" || text == "0" || text == "no") return Value(false);
      return Invalid{"expected true or false"};
    case Kind::duration: {
      auto d = parse_duration(text);
      if (!d) return Invalid{d.error().message};
      return Value(*d);
    }
    case Kind::size: {
      auto s = parse_size(text);
      if (!s) return Invalid{s.error().message};
      return Value(*s);
    }
    case Kind::string_list: {
      std::vector<std::string> out;
      std::stringstream ss{std::string(text)};
      std::string item;
      while (std::getline(ss, item, ',')) {
        auto b = item.find_first_not_of(' ');
        auto e = item.find_last_not_of(' ');
        if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
      }
      return Value(std::move(out));
    }
    case Kind::number: {
      auto v = parse_non_negative(text);
      if (!v) return Invalid{"expected a number"};
      return Value(*v);
    }
  }
  return Invalid{"unsupported"};
}

Result<Value, Invalid> value_from_toml(Kind kind, const toml::node& node) {
  auto wrong = Invalid{std::string("expected ") + std::string(kind_name(kind))};
  switch (kind) {
    case Kind::string:
      if (auto s = node.as_string()) return Value(s->get());
      return wrong;
    case Kind::integer:
      if (auto i = node.as_integer(); i && i->get() >= 0) return Value(i->get());
      return wrong;
    case Kind::boolean:
      if (auto b = node.as_boolean()) return Value(b->get());
      return wrong;
    case Kind::duration:
      if (auto i = node.as_integer(); i && i->get() >= 0) {
        return Value(std::chrono::milliseconds(i->get() * 1000));
      }
      if (auto s = node.as_string()) return value_from_text(kind, s->get());
      return wrong;
    case Kind::size:
      if (auto i = node.as_integer(); i && i->get() >= 0)
        return Value(static_cast<std::size_t>(i->get()));
      if (auto s = node.as_string()) return value_from_text(kind, s->get());
      return wrong;
    case Kind::string_list: {
      auto arr = node.as_array();
      if (!arr) return wrong;
      std::vector<std::string> out;
      for (const auto& item : *arr) {
        auto s = item.as_string();
        if (!s) return wrong;
        out.push_back(s->get());
      }
      return Value(std::move(out));
    }
    case Kind::number:
      if (auto f = node.as_floating_point(); f && f->get() >= 0) return Value(f->get());
      if (auto i = node.as_integer(); i && i->get() >= 0)
        return Value(static_cast<double>(i->get()));
      return wrong;
  }
  return wrong;
}

// env:NAME and file:PATH keep secrets out of the configuration file.
Result<std::string, Invalid> resolve_secret(const std::string& value, const Environment& env) {
  if (value.starts_with("env:")) {
    auto it = env.find(value.substr(4));
    if (it == env.end()) return Invalid{"environment variable " + value.substr(4) + " is not set"};
    return Result<std::string, Invalid>(boost::system::in_place_value, it->second);
  }
  if (value.starts_with("file:")) {
    std::ifstream in(value.substr(5), std::ios::binary);
    if (!in) return Invalid{"cannot read file " + value.substr(5)};
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
      content.pop_back();
    return Result<std::string, Invalid>(boost::system::in_place_value, std::move(content));
  }
  return Result<std::string, Invalid>(boost::system::in_place_value, value);
}

Result<void, ConfigError> load_providers(const toml::array& array, const Environment& env,
                                         Config& config) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < array.size(); ++i) {
    std::string path = "providers[" + std::to_string(i) + "]";
    auto table = array[i].as_table();
    if (!table) return ConfigError{path, "must be a table"};
    ProviderConfig p;
    p.key_path = path;
    for (const auto& [k, node] : *table) {
      std::string key(k.str());
      std::string kp = path + "." + key;
      std::string text;
      if (auto s = node.as_string()) {
        auto resolved = resolve_secret(s->get(), env);
        if (!resolved) return ConfigError{kp, resolved.error().why};
        text = *resolved;
      } else if (auto n = node.as_integer()) {
        text = std::to_string(n->get());
      } else if (auto b = node.as_boolean()) {
        text = b->get() ? "true" : "false";
      } else if (auto f = node.as_floating_point()) {
        text = std::to_string(f->get());
      } else {
        return ConfigError{kp, "expected a string, number or boolean"};
      }
      if (auto ok = set_provider_key(p, key, text); !ok) return ok.error();
    }
    if (p.name.empty()) return ConfigError{path + ".name", "is required"};
    if (p.type.empty()) return ConfigError{path + ".type", "is required"};
    if (!names.insert(p.name).second)
      return ConfigError{path + ".name", "duplicate provider name '" + p.name + "'"};
    config.providers.push_back(std::move(p));
  }
  return {};
}

// [[routes]]: sender_domain, tag, metadata = "key=value", pool.
Result<void, ConfigError> load_routes(const toml::array& array, Config& config) {
  for (std::size_t i = 0; i < array.size(); ++i) {
    RouteConfig r;
    r.key_path = "routes[" + std::to_string(i) + "]";
    auto table = array[i].as_table();
    if (!table) return ConfigError{r.key_path, "must be a table"};
    for (const auto& [k, node] : *table) {
      std::string key(k.str());
      auto s = node.as_string();
      if (!s) return ConfigError{r.key_path + "." + key, "expected a string"};
      std::string text = s->get();
      if (key == "sender_domain")
        r.sender_domain = text;
      else if (key == "tag")
        r.tag = text;
      else if (key == "pool")
        r.pool = text;
      else if (key == "metadata") {
        auto eq = text.find('=');
        if (eq == std::string::npos || eq == 0)
          return ConfigError{r.key_path + ".metadata", "expected \"key=value\""};
        r.metadata_key = text.substr(0, eq);
        r.metadata_value = text.substr(eq + 1);
      } else {
        return ConfigError{r.key_path + "." + key,
                           "unknown key (sender_domain, tag, metadata, pool)"};
      }
    }
    if (r.pool.empty()) return ConfigError{r.key_path + ".pool", "is required"};
    if (r.sender_domain.empty() && r.tag.empty() && r.metadata_key.empty()) {
      return ConfigError{r.key_path, "needs at least one of sender_domain, tag or metadata"};
    }
    config.routes.push_back(std::move(r));
  }
  return {};
}

// The [routing] values that must make sense together, and routes that lead
// somewhere.
Result<void, ConfigError> validate_routing(const Config& c) {
  const auto& r = c.routing;
  for (auto [key, v] : {std::pair{"routing.error_rate", r.error_rate},
                        std::pair{"routing.throttle_rate", r.throttle_rate}}) {
    if (v > 1) return ConfigError{key, "expected a share from 0 to 1"};
  }
  for (auto [key, v] : {std::pair{"routing.unhealthy_threshold", r.unhealthy_threshold},
                        std::pair{"routing.healthy_threshold", r.healthy_threshold},
                        std::pair{"routing.trial_successes", r.trial_successes}}) {
    if (v == 0) return ConfigError{key, "must be at least 1"};
  }
  if (r.probe_interval.count() > 0 && r.probe_timeout.count() == 0) {
    return ConfigError{"routing.probe_timeout", "must be more than 0"};
  }
  if (r.base_ejection.count() == 0)
    return ConfigError{"routing.base_ejection", "must be more than 0"};
  if (r.max_ejection < r.base_ejection)
    return ConfigError{"routing.max_ejection", "must be at least routing.base_ejection"};
  if (r.error_window.count() == 0)
    return ConfigError{"routing.error_window", "must be more than 0"};
  if (r.heartbeat_window.count() == 0)
    return ConfigError{"routing.heartbeat_window", "must be more than 0"};
  if (r.default_pool.empty()) return ConfigError{"routing.default_pool", "must not be empty"};
  // Heartbeat registrations may bring a pool later; otherwise a route to a
  // pool without providers would only ever defer its mail.
  if (!r.heartbeat_registration) {
    std::set<std::string> pools;
    for (const auto& p : c.providers) pools.insert(p.pool);
    if (c.providers.empty()) pools.insert("default");  // the capture provider
    for (const auto& route : c.routes) {
      if (!pools.contains(route.pool)) {
        return ConfigError{route.key_path + ".pool", "no provider is in pool '" + route.pool + "'"};
      }
    }
  }
  return {};
}

bool valid_listen(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto port = s.substr(colon + 1);
  return parse_decimal<std::uint16_t>(port).has_value();
}

Result<void, ConfigError> validate(const Config& c) {
  for (auto [key, value] :
       {std::pair{"http.listen", &c.http.listen}, std::pair{"smtp.listen", &c.smtp.listen},
        std::pair{"smtp.tls_listen", &c.smtp.tls_listen},
        std::pair{"imap.listen", &c.imap.listen}}) {
    if (!value->empty() && !valid_listen(*value)) {
      return ConfigError{key, "expected host:port such as 127.0.0.1:8025, got '" + *value + "'"};
    }
  }
  if (c.store.backend != "sqlite" && c.store.backend != "postgres") {
    return ConfigError{"store.backend",
                       "expected \"sqlite\" or \"postgres\", got '" + c.store.backend + "'"};
  }
  if (c.store.backend == "sqlite" && c.store.path.empty())
    return ConfigError{"store.path", "must not be empty"};
  if (c.store.backend == "postgres" && c.store.url.empty()) {
    return ConfigError{"store.url", "is required when store.backend is \"postgres\""};
  }
  if (c.store.max_batch == 0) return ConfigError{"store.max_batch", "must be at least 1"};
  // 0 would refuse every client: a typo, not a policy.
  if (c.http.max_connections == 0) return ConfigError{"http.max_connections", "must be at least 1"};
  if (c.smtp.max_connections == 0) return ConfigError{"smtp.max_connections", "must be at least 1"};
  static const std::set<std::string> strategies = {"random", "round_robin", "weighted", "priority",
                                                   "least_latency"};
  if (!strategies.contains(c.routing.strategy)) {
    return ConfigError{
        "routing.strategy",
        "expected one of random, round_robin, weighted, priority, least_latency; got '" +
            c.routing.strategy + "'"};
  }
  static const std::set<std::string> levels = {"trace", "debug",    "info", "warn",
                                               "error", "critical", "off"};
  if (!levels.contains(c.log.level))
    return ConfigError{"log.level", "unknown level '" + c.log.level + "'"};
  if (c.log.format != "text" && c.log.format != "json") {
    return ConfigError{"log.format", "expected \"text\" or \"json\""};
  }
  if (c.delivery.window == 0) return ConfigError{"delivery.window", "must be at least 1"};
  if (auto ok = validate_routing(c); !ok) return ok.error();
  if (c.messages.max_recipients == 0)
    return ConfigError{"messages.max_recipients", "must be at least 1"};
  if (!c.smtp.tls_listen.empty() && c.tls.cert.empty()) {
    return ConfigError{"smtp.tls_listen", "an implicit TLS listener needs tls.cert and tls.key"};
  }
  if ((c.tls.cert.empty()) != (c.tls.key.empty())) {
    return ConfigError{c.tls.cert.empty() ? "tls.cert" : "tls.key",
                       "tls.cert and tls.key go together"};
  }
  return {};
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

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
    auto v = whole(1000000);
    if (!v) return v.error();
    (key == "weight" ? p.weight : p.priority) = static_cast<int>(*v);
  } else if (key == "burst" || key == "max_concurrency") {
    auto v = whole(1000000);
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

Result<std::chrono::milliseconds, Problem> parse_duration(std::string_view text) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || n < 0)
    return Problem{"expected a duration such as \"30s\", \"5m\" or \"250ms\""};
  std::string_view unit(p, text.data() + text.size() - p);
  constexpr std::pair<std::string_view, std::int64_t> kUnits[] = {
      {"", 1000}, {"s", 1000}, {"ms", 1}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  for (auto [name, scale] : kUnits) {
    if (unit != name) continue;
    // As for sizes: a duration that does not fit is a typo.
    if (n > std::numeric_limits<std::int64_t>::max() / scale)
      return Problem{"duration too long: " + std::string(text)};
    return std::chrono::milliseconds(n * scale);
  }
  return Problem{"unknown duration unit '" + std::string(unit) + "' (use ms, s, m, h or d)"};
}

Result<std::size_t, Problem> parse_size(std::string_view text) {
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc()) return Problem{"expected a size such as \"25MiB\""};
  std::string_view unit(p, text.data() + text.size() - p);
  constexpr std::pair<std::string_view, std::uint64_t> kUnits[] = {{"", 1},
                                                                   {"B", 1},
                                                                   {"KiB", 1ull << 10},
                                                                   {"MiB", 1ull << 20},
                                                                   {"GiB", 1ull << 30},
                                                                   {"KB", 1000},
                                                                   {"MB", 1000 * 1000},
                                                                   {"GB", 1000 * 1000 * 1000}};
  for (auto [name, scale] : kUnits) {
    if (unit != name) continue;
    // A size that does not fit is a typo, not a wish for a tiny limit.
    if (n > std::numeric_limits<std::size_t>::max() / scale)
      return Problem{"size too large: " + std::string(text)};
    return static_cast<std::size_t>(n * scale);
  }
  return Problem{"unknown size unit '" + std::string(unit) +
                 "' (use B, KiB, MiB, GiB, KB, MB or GB)"};
}

Result<Config, ConfigError> parse_config(std::string_view toml_text, const Environment& env) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    return ConfigError{"", "invalid TOML at " + where.str() + ": " + std::string(e.description())};
  }
  Config config;
  for (const auto& [section_key, node] : root) {
    std::string section(section_key.str());
    if (section == "providers") {
      auto arr = node.as_array();
      if (!arr) return ConfigError{"providers", "must be an array of tables ([[providers]])"};
      if (auto ok = load_providers(*arr, env, config); !ok) return ok.error();
      continue;
    }
    if (section == "routes") {
      auto arr = node.as_array();
      if (!arr) return ConfigError{"routes", "must be an array of tables ([[routes]])"};
      if (auto ok = load_routes(*arr, config); !ok) return ok.error();
      continue;
    }
    if (!known_section(section)) return ConfigError{section, "unknown section"};
    auto table = node.as_table();
    if (!table) return ConfigError{section, "must be a table"};
    for (const auto& [k, value] : *table) {
      std::string key(k.str());
      const Field* f = find_field(section, key);
      if (!f) return ConfigError{section + "." + key, "unknown key"};
      auto v = value_from_toml(f->kind, value);
      if (!v) return ConfigError{section + "." + key, v.error().why};
      f->apply(config, *v);
    }
  }
  // POSTERN_<SECTION>_<KEY> wins over the file. Variables of unknown
  // sections are left alone (scripts use POSTERN_* names of their own).
  for (const auto& [name, text] : env) {
    if (!name.starts_with("POSTERN_")) continue;
    std::string rest = ascii_lowered(std::string_view(name).substr(8));
    auto us = rest.find('_');
    if (us == std::string::npos) continue;
    std::string section = rest.substr(0, us), key = rest.substr(us + 1);
    if (!known_section(section)) continue;
    const Field* f = find_field(section, key);
    if (!f) return ConfigError{name, "unknown key " + section + "." + key};
    auto v = value_from_text(f->kind, text);
    if (!v) return ConfigError{name, v.error().why};
    f->apply(config, *v);
  }
  if (auto ok = validate(config); !ok) return ok.error();
  return config;
}

Result<Config, ConfigError> load_config(const std::string& path, const Environment& env) {
  if (path.empty()) return parse_config("", env);
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigError{"", "cannot read configuration file " + path};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto config = parse_config(text, env);
  if (config) config->source_path = path;
  return config;
}

}  // namespace postern
