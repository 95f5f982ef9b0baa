// weighted: smooth weighted round robin (nginx). Each pick adds every
// candidate's weight to its running score, picks the highest score and takes
// the total weight off the winner: weights 5:1:1 give a a b a c a a, never a
// burst of five a's in a row.
#include <optional>
#include <vector>

#include "routing/strategies/strategies.h"

namespace postern::routing::strategies {
namespace {

class WeightedStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "weighted"; }

  // A provider of weight 0 takes mail only when no candidate has a weight:
  // scores carried over from picks with other candidates can all be below
  // its 0, and it must not win then.
  std::size_t pick(std::span<const Candidate> candidates, PickContext&) override {
    std::int64_t total = 0;
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto& c = candidates[i];
      if (c.slot >= current_.size()) current_.resize(c.slot + 1, 0);  // only before reset() has run
      if (c.weight <= 0) continue;
      current_[c.slot] += c.weight;
      total += c.weight;
      if (!best || current_[c.slot] > current_[candidates[*best].slot]) best = i;
    }
    if (!best) return 0;
    current_[candidates[*best].slot] -= total;
    return *best;
  }

  void reset(std::size_t slots) override { current_.assign(slots, 0); }

 private:
  std::vector<std::int64_t> current_;  // running score by slot
};

}  // namespace

std::unique_ptr<Strategy> make_weighted() { return std::make_unique<WeightedStrategy>(); }

}  // namespace postern::routing::strategies
