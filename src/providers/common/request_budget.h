// Request bodies in the budget for content in flight (limits.inflight_bytes,
// docs/operations.md "Memory"). A JSON-bodied provider (SendGrid, Postmark,
// SES) builds its request body whole, the message's content base64-encoded
// in it, and holds it until the answer comes. It asks here first, with
// the body's expected size, and builds the body only once the budget has
// room for it; the charge then follows the body's real size until the
// request is done. A request that finds no room waits, first come first
// served, for the requests held to end; one is let through whatever the
// budget when none is held, so sending always moves, even with the budget
// spent by intake or by leased content. So the bodies held at once are
// bounded by the budget, not by traffic. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "core/inflight_budget.h"
#include "core/metrics.h"

namespace postern::net {
class IoRuntime;
}

namespace postern::providers::common {

// What a request body carrying `content_bytes` of message is expected to
// take: base64 (a third more) and room for the JSON around it.
std::uint64_t encoded_body_estimate(std::uint64_t content_bytes);

class RequestBudget {
 public:
  struct State;

  // A request's share of the budget, from its admission until it is reset
  // or destroyed; then the requests waiting are looked at again. Movable.
  class Charge {
   public:
    Charge() = default;
    Charge(std::shared_ptr<State> state, InflightCharge charge);
    Charge(Charge&&) noexcept = default;
    Charge& operator=(Charge&& o) noexcept;
    Charge(const Charge&) = delete;
    Charge& operator=(const Charge&) = delete;
    ~Charge() { reset(); }

    // The body as built, more or less than the estimate it was let in
    // with: it is in memory already, so it is charged whatever is left.
    void resize(std::uint64_t bytes) { charge_.resize(bytes); }
    void reset();
    std::uint64_t bytes() const { return charge_.bytes(); }

   private:
    std::shared_ptr<State> state_;
    InflightCharge charge_;
  };

  // Requests waiting are resumed on `io`'s threads. `budget` outlives this
  // and every Charge it gave.
  RequestBudget(InflightBudget& budget, net::IoRuntime& io, MetricsRegistry& metrics);
  ~RequestBudget();
  RequestBudget(const RequestBudget&) = delete;
  RequestBudget& operator=(const RequestBudget&) = delete;

  // Calls `go` with a charge of `bytes` once the budget has them: at once,
  // on the caller's thread, when it has them now and nobody waits before
  // (or when no request is held); else later, on one of the I/O threads,
  // when requests held before end. Requests still waiting when this is
  // destroyed (shutdown) are dropped, `go` never called.
  void admit(std::uint64_t bytes, std::function<void(Charge)> go);

  std::size_t held() const;
  std::size_t waiting() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace postern::providers::common
