#include "sim/common/setting_text.h"

#include <boost/json.hpp>
#include <charconv>

#include "core/config_values.h"
#include "core/header_value.h"

namespace postern::sim {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

Result<bool, Problem> parse_bool(std::string_view key, std::string_view v) {
  if (v.empty() || v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  return Problem{std::string(key) + ": expected true or false, got \"" + std::string(v) + "\""};
}

Result<double, Problem> parse_rate(std::string_view key, std::string_view v) {
  double rate = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), rate);
  if (ec != std::errc() || p != v.data() + v.size() || rate < 0 || rate > 1) {
    return Problem{std::string(key) + ": expected a number from 0 to 1, got \"" + std::string(v) +
                   "\""};
  }
  return rate;
}

Result<std::chrono::milliseconds, Problem> parse_ms(std::string_view text, bool bare_is_ms) {
  text = trim_blanks(text);
  if (bare_is_ms && all_digits(text)) return parse_duration(std::string(text) + "ms");
  return parse_duration(text);
}

std::string format_ms(std::chrono::milliseconds d) {
  if (d.count() != 0 && d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

Result<void, Problem> for_each_setting(std::string_view list, const SettingFn& apply) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    auto eq = item.find('=');
    auto key = item.substr(0, eq);
    auto value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (!trim_blanks(key).empty()) {
      if (auto r = apply(trim_blanks(key), trim_blanks(value)); !r) return r.error();
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return {};
}

std::optional<std::string> json_scalar_text(const boost::json::value& v) {
  if (v.is_bool()) return std::string(v.get_bool() ? "true" : "false");
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
    return std::string(buf, ec == std::errc() ? p : buf);
  }
  return std::nullopt;
}

}  // namespace postern::sim
