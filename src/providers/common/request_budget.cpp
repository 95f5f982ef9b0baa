#include "providers/common/request_budget.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "net/io_runtime.h"

namespace postern::providers::common {

namespace {

// The JSON around the content (addresses, headers, metadata, field names)
// and base64's padding: small beside a message, but a floor for tiny ones.
constexpr std::uint64_t kJsonAround = 4096;

}  // namespace

std::uint64_t encoded_body_estimate(std::uint64_t content_bytes) {
  return (content_bytes + 2) / 3 * 4 + kJsonAround;
}

struct RequestBudget::State : std::enable_shared_from_this<State> {
  State(InflightBudget& budget, net::IoRuntime& io, MetricsRegistry& metrics)
      : budget(budget),
        io(io),
        waiting_gauge(metrics.gauge("postern_inflight_waiting_requests",
                                    "Provider requests waiting for room in limits.inflight_bytes "
                                    "before their body is built")) {}

  struct Waiter {
    std::uint64_t bytes;
    std::function<void(Charge)> go;
  };

  InflightBudget& budget;
  net::IoRuntime& io;
  Gauge& waiting_gauge;
  mutable std::mutex mu;
  std::size_t held = 0;        // guarded by mu
  std::deque<Waiter> waiting;  // guarded by mu, first come first served
  bool closed = false;         // guarded by mu: the RequestBudget is gone

  // A charge of `bytes` for the next request, or nothing when it must wait:
  // within the budget, or whatever the budget when no request is held.
  // Called with mu held.
  std::optional<InflightCharge> take(std::uint64_t bytes) {
    InflightCharge charge(&budget);
    if (held == 0) {
      charge.force_grow(bytes);
    } else if (!charge.try_cover(bytes)) {
      return std::nullopt;
    }
    ++held;
    return charge;
  }

  // A request let go of its charge: the ones waiting that now fit go, in
  // their order, each on an I/O thread (not inside the caller, which may be
  // the HTTP client finishing a request).
  void ended() {
    std::vector<std::pair<Waiter, InflightCharge>> admitted;
    {
      std::lock_guard lock(mu);
      --held;
      while (!closed && !waiting.empty()) {
        auto charge = take(waiting.front().bytes);
        if (!charge) break;
        admitted.emplace_back(std::move(waiting.front()), std::move(*charge));
        waiting.pop_front();
      }
      waiting_gauge.set(static_cast<double>(waiting.size()));
    }
    for (auto& [waiter, charge] : admitted) {
      boost::asio::post(io.next(), [self = shared_from_this(), go = std::move(waiter.go),
                                    charge = std::move(charge)]() mutable {
        go(Charge(self, std::move(charge)));
      });
    }
  }
};

RequestBudget::Charge::Charge(std::shared_ptr<State> state, InflightCharge charge)
    : state_(std::move(state)), charge_(std::move(charge)) {}

RequestBudget::Charge& RequestBudget::Charge::operator=(Charge&& o) noexcept {
  if (this != &o) {
    reset();
    state_ = std::move(o.state_);
    charge_ = std::move(o.charge_);
  }
  return *this;
}

void RequestBudget::Charge::reset() {
  // The bytes first: the requests waiting see the room they leave.
  charge_.reset();
  if (auto state = std::move(state_)) state->ended();
}

RequestBudget::RequestBudget(InflightBudget& budget, net::IoRuntime& io, MetricsRegistry& metrics)
    : state_(std::make_shared<State>(budget, io, metrics)) {}

RequestBudget::~RequestBudget() {
  std::deque<State::Waiter> dropped;  // destroyed outside the lock
  std::lock_guard lock(state_->mu);
  state_->closed = true;
  dropped.swap(state_->waiting);
  state_->waiting_gauge.set(0);
}

void RequestBudget::admit(std::uint64_t bytes, std::function<void(Charge)> go) {
  std::optional<InflightCharge> charge;
  {
    std::lock_guard lock(state_->mu);
    if (state_->waiting.empty()) charge = state_->take(bytes);
    if (!charge) {
      state_->waiting.push_back({bytes, std::move(go)});
      state_->waiting_gauge.set(static_cast<double>(state_->waiting.size()));
      return;
    }
  }
  go(Charge(state_, std::move(*charge)));
}

std::size_t RequestBudget::held() const {
  std::lock_guard lock(state_->mu);
  return state_->held;
}

std::size_t RequestBudget::waiting() const {
  std::lock_guard lock(state_->mu);
  return state_->waiting.size();
}

}  // namespace postern::providers::common
