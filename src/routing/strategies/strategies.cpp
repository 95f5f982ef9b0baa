// Strategy names to implementations: one line per strategy.
#include "routing/strategies/strategies.h"

#include <array>

namespace postern::routing {
namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<Strategy> (*make)();
};

constexpr std::array kStrategies = {
    Entry{"random", strategies::make_random},
    Entry{"round_robin", strategies::make_round_robin},
    Entry{"weighted", strategies::make_weighted},
    Entry{"priority", strategies::make_priority},
    Entry{"least_latency", strategies::make_least_latency},
};

constexpr auto kNames = [] {
  std::array<std::string_view, kStrategies.size()> names{};
  for (std::size_t i = 0; i < kStrategies.size(); ++i) names[i] = kStrategies[i].name;
  return names;
}();

}  // namespace

std::unique_ptr<Strategy> make_strategy(std::string_view name) {
  for (const auto& e : kStrategies) {
    if (e.name == name) return e.make();
  }
  return nullptr;
}

std::span<const std::string_view> strategy_names() { return kNames; }

}  // namespace postern::routing
