#include "core/config_values.h"

#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <utility>

extern char** environ;

namespace postern {

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
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

std::optional<double> parse_non_negative(std::string_view text) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

Result<std::string, Problem> resolve_secret(const std::string& value, const Environment& env) {
  if (value.starts_with("env:")) {
    auto it = env.find(value.substr(4));
    if (it == env.end()) return Problem{"environment variable " + value.substr(4) + " is not set"};
    return Result<std::string, Problem>(boost::system::in_place_value, it->second);
  }
  if (value.starts_with("file:")) {
    std::ifstream in(value.substr(5), std::ios::binary);
    if (!in) return Problem{"cannot read file " + value.substr(5)};
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
      content.pop_back();
    return Result<std::string, Problem>(boost::system::in_place_value, std::move(content));
  }
  return Result<std::string, Problem>(boost::system::in_place_value, value);
}

}  // namespace postern
