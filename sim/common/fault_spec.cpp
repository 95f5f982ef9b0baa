#include "sim/common/fault_spec.h"

#include <boost/json.hpp>
#include <charconv>
#include <optional>

#include "core/config_values.h"
#include "core/header_value.h"
#include "sim/common/setting_text.h"

namespace postern::sim {

namespace {

// The recipient pattern lists, by setting name.
using PatternList = std::vector<std::string> FaultSpec::*;
constexpr std::pair<std::string_view, PatternList> kPatternLists[] = {
    {"reject", &FaultSpec::reject},     {"defer", &FaultSpec::defer},
    {"bounce", &FaultSpec::bounce},     {"soft_bounce", &FaultSpec::soft_bounce},
    {"complain", &FaultSpec::complain}, {"defer_event", &FaultSpec::defer_event},
};

std::optional<PatternList> pattern_list(std::string_view key) {
  for (const auto& [name, member] : kPatternLists) {
    if (name == key) return member;
  }
  return std::nullopt;
}

std::vector<std::string> split_patterns(std::string_view v) {
  auto items = list_items(v, '|');
  return {items.begin(), items.end()};
}

// JSON values as the text apply_setting takes; nullopt (and `why`) for a
// value of the wrong kind.
std::optional<std::string> json_as_text(std::string_view key, const boost::json::value& v,
                                        std::string& why) {
  if (auto text = json_scalar_text(v)) return text;
  if (v.is_object() && key == "flap") {
    const auto& o = v.get_object();
    auto down = o.if_contains("down");
    auto up = o.if_contains("up");
    if (down && up && down->is_string() && up->is_string()) {
      return std::string(down->get_string()) + "/" + std::string(up->get_string());
    }
    why = "flap: expected {\"down\": \"2s\", \"up\": \"3s\"}";
    return std::nullopt;
  }
  if (v.is_array() && pattern_list(key)) {
    std::string joined;
    for (const auto& item : v.get_array()) {
      if (!item.is_string()) {
        why = std::string(key) + ": expected an array of strings";
        return std::nullopt;
      }
      if (!joined.empty()) joined += '|';
      joined += item.get_string();
    }
    return joined;
  }
  why = std::string(key) + ": unsupported JSON value";
  return std::nullopt;
}

// The text each setting takes by default, so that JSON null can put the
// default back through apply_setting.
std::string_view default_text(std::string_view key) {
  if (key == "probes") return "true";
  if (key == "down" || key == "hang" || key == "auth_fail") return "false";
  if (key == "error_rate" || key == "throttle_rate" || key == "error_status") return "0";
  if (key == "retry_after") return "1s";
  return "";
}

}  // namespace

Result<LatencyRange, Problem> parse_latency(std::string_view text) {
  text = trim_blanks(text);
  if (text.empty()) return LatencyRange{};
  auto dots = text.find("..");
  auto low = parse_ms(text.substr(0, dots), true);
  if (!low) return Problem{"latency: " + low.error().message};
  LatencyRange out{*low, *low};
  if (dots != std::string_view::npos) {
    auto high = parse_ms(text.substr(dots + 2), true);
    if (!high) return Problem{"latency: " + high.error().message};
    if (*high < *low) return Problem{"latency: the upper bound is below the lower one"};
    out.max = *high;
  }
  return out;
}

std::string format_latency(const LatencyRange& latency) {
  if (latency.min == latency.max) return format_ms(latency.min);
  return format_ms(latency.min) + ".." + format_ms(latency.max);
}

Result<FlapSchedule, Problem> parse_flap(std::string_view text) {
  text = trim_blanks(text);
  if (text.empty() || text == "off" || text == "0") return FlapSchedule{};
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return Problem{"flap: expected \"DOWN/UP\", e.g. \"2s/3s\""};
  auto down = parse_ms(text.substr(0, slash), false);
  auto up = parse_ms(text.substr(slash + 1), false);
  if (!down) return Problem{"flap: " + down.error().message};
  if (!up) return Problem{"flap: " + up.error().message};
  if (down->count() <= 0 || up->count() <= 0)
    return Problem{"flap: both periods must be longer than zero"};
  return FlapSchedule{*down, *up};
}

std::string format_flap(const FlapSchedule& flap) {
  if (!flap.active()) return "";
  return format_ms(flap.down) + "/" + format_ms(flap.up);
}

Result<void, Problem> apply_setting(FaultSpec& spec, std::string_view key, std::string_view value) {
  key = trim_blanks(key);
  value = trim_blanks(value);
  auto set_bool = [&](bool& field) -> Result<void, Problem> {
    auto b = parse_bool(key, value);
    if (!b) return b.error();
    field = *b;
    return {};
  };
  if (key == "clear") {
    spec = FaultSpec{};
    return {};
  }
  if (key == "down") return set_bool(spec.down);
  if (key == "hang") return set_bool(spec.hang);
  if (key == "auth_fail") return set_bool(spec.auth_fail);
  if (key == "probes") return set_bool(spec.probes);
  if (key == "error_rate" || key == "throttle_rate") {
    auto rate = parse_rate(key, value);
    if (!rate) return rate.error();
    (key == "error_rate" ? spec.error_rate : spec.throttle_rate) = *rate;
    return {};
  }
  if (key == "error_status") {
    int status = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), status);
    if (ec != std::errc() || p != value.data() + value.size() ||
        (status != 0 && (status < 100 || status > 599))) {
      return Problem{"error_status: expected a status code from 100 to 599, got \"" +
                     std::string(value) + "\""};
    }
    spec.error_status = status;
    return {};
  }
  if (key == "retry_after") {
    auto d = parse_duration(value);
    if (!d) return Problem{"retry_after: " + d.error().message};
    spec.retry_after = std::chrono::duration_cast<std::chrono::seconds>(*d);
    return {};
  }
  if (key == "latency") {
    auto l = parse_latency(value);
    if (!l) return l.error();
    spec.latency = *l;
    return {};
  }
  if (key == "flap") {
    auto f = parse_flap(value);
    if (!f) return f.error();
    spec.flap = *f;
    return {};
  }
  if (auto list = pattern_list(key)) {
    spec.*(*list) = split_patterns(value);
    return {};
  }
  return Problem{"unknown fault setting \"" + std::string(key) + "\""};
}

Result<void, Problem> apply_settings(FaultSpec& spec, std::string_view list) {
  return for_each_setting(list, [&](std::string_view key, std::string_view value) {
    return apply_setting(spec, key, value);
  });
}

Result<void, Problem> apply_json(FaultSpec& spec, const boost::json::object& settings) {
  // "clear" first, so {"clear": true, "down": true} means "only down".
  if (auto clear = settings.if_contains("clear"); clear && clear->is_bool() && clear->get_bool())
    spec = FaultSpec{};
  for (const auto& [key, value] : settings) {
    if (key == "clear") continue;
    if (value.is_null()) {
      // null puts the default back.
      if (auto r = apply_setting(spec, key, default_text(key)); !r) return r.error();
      continue;
    }
    std::string why;
    auto text = json_as_text(key, value, why);
    if (!text) return Problem{why};
    if (auto r = apply_setting(spec, key, *text); !r) return r.error();
  }
  return {};
}

boost::json::object to_json(const FaultSpec& spec) {
  boost::json::object out{
      {"down", spec.down},
      {"error_rate", spec.error_rate},
      {"error_status", spec.error_status},
      {"throttle_rate", spec.throttle_rate},
      {"retry_after", spec.retry_after.count()},
      {"latency", format_latency(spec.latency)},
      {"hang", spec.hang},
      {"flap", format_flap(spec.flap)},
      {"auth_fail", spec.auth_fail},
      {"probes", spec.probes},
  };
  for (const auto& [name, member] : kPatternLists) {
    const auto& globs = spec.*member;
    out[name] = boost::json::array(globs.begin(), globs.end());
  }
  return out;
}

}  // namespace postern::sim
