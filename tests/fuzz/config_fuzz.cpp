// libFuzzer target: the TOML configuration loader (app/config.h). The
// input is the file; the lines after a line "#env" are NAME=VALUE
// environment variables (POSTERN_<SECTION>_<KEY> overrides, env: secrets).
// Invariants beyond "no crash": a refusal says why; the same input always
// gives the same answer; parse_duration and parse_size read back what they
// accept when it is written plainly ("<n>ms", "<n>").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "app/config.h"
#include "core/config_values.h"
#include "fuzz_check.h"

namespace {

using namespace postern;

constexpr std::string_view kEnvMarker = "\n#env\n";

Environment environment_from(std::string_view lines) {
  Environment env;
  while (!lines.empty()) {
    auto end = lines.find('\n');
    auto line = lines.substr(0, end);
    auto eq = line.find('=');
    if (eq != std::string_view::npos) env[std::string(line.substr(0, eq))] = line.substr(eq + 1);
    if (end == std::string_view::npos) break;
    lines.remove_prefix(end + 1);
  }
  return env;
}

void check_units(std::string_view text) {
  if (auto duration = parse_duration(text)) {
    auto again = parse_duration(std::to_string(duration->count()) + "ms");
    FUZZ_CHECK(again && *again == *duration);
  }
  if (auto size = parse_size(text)) {
    auto again = parse_size(std::to_string(*size));
    FUZZ_CHECK(again && *again == *size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto marker = input.find(kEnvMarker);
  auto toml = input.substr(0, marker);
  Environment env;
  if (marker != std::string_view::npos)
    env = environment_from(input.substr(marker + kEnvMarker.size()));

  auto config = app::parse_config(toml, env);
  auto again = app::parse_config(toml, env);
  FUZZ_CHECK(bool(config) == bool(again));
  if (!config) {
    FUZZ_CHECK(!config.error().message.empty());
    FUZZ_CHECK(config.error().to_string() == again.error().to_string());
  }
  check_units(toml.substr(0, toml.find('\n')));
  return 0;
}
