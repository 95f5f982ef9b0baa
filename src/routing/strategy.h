// The Strategy interface: picks one provider among the usable candidates of a
// pool. One file per strategy under strategies/; the router does the
// filtering (health, limits, "elsewhere first") so every strategy sees only
// providers that can take the message now.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string_view>

namespace postern::routing {

// One provider that could take the message now, as a strategy sees it.
struct Candidate {
  std::size_t slot = 0;        // the provider's position in its pool: stable until reset()
  int weight = 1;              // weighted strategy
  int priority = 1;            // priority strategy: lower goes first
  double latency_ewma_us = 0;  // least_latency; 0 while unmeasured
  std::size_t in_flight = 0;   // attempts waiting for an answer
};

// What a pick may use besides the candidates. The providers to avoid
// ("retry elsewhere first", Envoy's shouldSelectAnotherHost) are already
// filtered out by the router, so that no strategy repeats that rule.
struct PickContext {
  std::mt19937_64& random;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // As in the configuration: "round_robin", ...
  virtual std::string_view name() const = 0;
  // Returns the index into `candidates` of the chosen one.
  // Requires: candidates is not empty, every slot < the last reset()'s count.
  // Runs under the router's lock; must not allocate once warmed up.
  virtual std::size_t pick(std::span<const Candidate> candidates, PickContext& context) = 0;
  // The pool's membership changed; `slots` providers are numbered 0..slots-1.
  virtual void reset(std::size_t slots) = 0;
};

// The strategy of that name, or nullptr for an unknown name
// (strategies/strategies.cpp: one line per strategy).
std::unique_ptr<Strategy> make_strategy(std::string_view name);
// The names make_strategy knows, for error messages.
std::span<const std::string_view> strategy_names();

}  // namespace postern::routing
