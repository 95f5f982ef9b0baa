// round_robin: the pool's providers in turn. The turn is kept by slot, not by
// position among the candidates, so a provider that is busy for one pick
// does not shift everyone else's turn.
#include "routing/strategies/strategies.h"

namespace postern::routing::strategies {
namespace {

class RoundRobinStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "round_robin"; }

  std::size_t pick(std::span<const Candidate> candidates, PickContext&) override {
    // The first candidate after the last one picked, wrapping around.
    std::size_t best = 0;
    bool found_after = false;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      auto slot = candidates[i].slot;
      if (slot > last_ && (!found_after || slot < candidates[best].slot)) {
        best = i;
        found_after = true;
      } else if (!found_after && slot < candidates[best].slot) {
        best = i;
      }
    }
    last_ = candidates[best].slot;
    return best;
  }

  void reset(std::size_t slots) override { last_ = slots; }

 private:
  std::size_t last_ =
      static_cast<std::size_t>(-1);  // > any slot: the next pick starts at the lowest
};

}  // namespace

std::unique_ptr<Strategy> make_round_robin() { return std::make_unique<RoundRobinStrategy>(); }

}  // namespace postern::routing::strategies
