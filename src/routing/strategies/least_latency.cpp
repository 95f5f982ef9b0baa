// least_latency: power of two choices over an EWMA of each provider's
// latency, weighed by its attempts in flight (Finagle's peak EWMA cost, the
// P2C of Envoy's least_request). Two random candidates, the cheaper wins:
// the fast provider gets most of the mail without a herd on it, and a slow
// one still gets enough to have its latency measured.
#include "routing/strategies/strategies.h"

namespace postern::routing::strategies {
namespace {

class LeastLatencyStrategy final : public Strategy {
 public:
  std::string_view name() const override { return "least_latency"; }

  std::size_t pick(std::span<const Candidate> candidates, PickContext& context) override {
    auto n = candidates.size();
    if (n == 1) return 0;
    std::uniform_int_distribution<std::size_t> any(0, n - 1);
    auto a = any(context.random);
    auto b = std::uniform_int_distribution<std::size_t>(0, n - 2)(context.random);
    if (b >= a) ++b;  // two distinct candidates
    auto ca = cost(candidates[a]), cb = cost(candidates[b]);
    if (ca == cb) return (context.random() & 1) ? a : b;
    return ca < cb ? a : b;
  }

  void reset(std::size_t) override {}

 private:
  // Unmeasured providers cost nothing, so each gets tried and measured.
  static double cost(const Candidate& c) {
    return c.latency_ewma_us * static_cast<double>(c.in_flight + 1);
  }
};

}  // namespace

std::unique_ptr<Strategy> make_least_latency() { return std::make_unique<LeastLatencyStrategy>(); }

}  // namespace postern::routing::strategies
