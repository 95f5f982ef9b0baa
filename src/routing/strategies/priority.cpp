// priority: ordered failover. Only the candidates with the lowest priority
// number take mail; the next level is used only when none of those can.
// Providers of equal priority share in turn.
#include <limits>

#include "routing/strategies/strategies.h"

namespace postern::routing::strategies {
namespace {

class PriorityStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "priority"; }

  std::size_t pick(std::span<const Candidate> candidates, PickContext&) override {
    int top = std::numeric_limits<int>::max();
    for (const auto& c : candidates) top = std::min(top, c.priority);
    // Round robin among the top level: the first slot after the last pick.
    std::size_t best = candidates.size();
    std::size_t lowest = candidates.size();
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (candidates[i].priority != top) continue;
      auto slot = candidates[i].slot;
      if (lowest == candidates.size() || slot < candidates[lowest].slot) lowest = i;
      if (slot > last_ && (best == candidates.size() || slot < candidates[best].slot)) best = i;
    }
    if (best == candidates.size()) best = lowest;
    last_ = candidates[best].slot;
    return best;
  }

  void reset(std::size_t slots) override { last_ = slots; }

 private:
  std::size_t last_ = static_cast<std::size_t>(-1);
};

}  // namespace

std::unique_ptr<Strategy> make_priority() { return std::make_unique<PriorityStrategy>(); }

}  // namespace postern::routing::strategies
