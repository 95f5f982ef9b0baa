// The built-in strategies, one file each; make_strategy() (strategies.cpp)
// maps a configured name to one of these.
#pragma once

#include <memory>

#include "routing/strategy.h"

namespace postern::routing::strategies {

std::unique_ptr<Strategy> make_random();
std::unique_ptr<Strategy> make_round_robin();
std::unique_ptr<Strategy> make_weighted();
std::unique_ptr<Strategy> make_priority();
std::unique_ptr<Strategy> make_least_latency();

}  // namespace postern::routing::strategies
