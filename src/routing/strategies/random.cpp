// random: every candidate equally likely, independent of the last pick.
#include "routing/strategies/strategies.h"

namespace postern::routing::strategies {
namespace {

class RandomStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "random"; }
  std::size_t pick(std::span<const Candidate> candidates, PickContext& context) override {
    return std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(context.random);
  }
  void reset(std::size_t) override {}
};

}  // namespace

std::unique_ptr<Strategy> make_random() { return std::make_unique<RandomStrategy>(); }

}  // namespace postern::routing::strategies
