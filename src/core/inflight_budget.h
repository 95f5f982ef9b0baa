// The global budget for message content in flight (limits.inflight_bytes,
// docs/operations.md "Memory"): bytes being received (SMTP DATA/BDAT, HTTP
// bodies), on their way to the store, and held for sending. Intake asks
// before it takes more (try_charge) and refuses new mail past the limit
// (SMTP 452 4.3.1, HTTP 503): memory follows configuration, not traffic.
// Sending charges what a lease already brought into memory (charge) and
// leases no more while the budget is spent. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <utility>

#include "core/metrics.h"

namespace postern {

class InflightBudget {
 public:
  // `limit` bytes in all; 0 is no limit (tests, tools).
  InflightBudget(std::uint64_t limit, MetricsRegistry& metrics);
  InflightBudget(const InflightBudget&) = delete;
  InflightBudget& operator=(const InflightBudget&) = delete;

  std::uint64_t limit() const { return limit_; }
  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  // Whether new content may start: some of the budget is left.
  bool has_room() const { return limit_ == 0 || used() < limit_; }
  // What is left of the budget (0 when spent; the limit's maximum when none).
  std::uint64_t room() const;

  // Charges `bytes` if they fit within the limit; nothing otherwise.
  bool try_charge(std::uint64_t bytes);
  // Charges `bytes` whatever is left: content already in memory.
  void charge(std::uint64_t bytes);
  void release(std::uint64_t bytes);
  // Counts a message or request refused for want of budget.
  void count_refusal(std::string_view protocol);

 private:
  std::uint64_t limit_;
  std::atomic<std::uint64_t> used_{0};
  Gauge& used_gauge_;
  Counter& refused_smtp_;
  Counter& refused_http_;
};

// Bytes charged to a budget by one holder (a message being received, a
// request body, a leased message), released when it is reset or destroyed.
// Without a budget every charge succeeds and nothing is counted. Movable.
class InflightCharge {
 public:
  InflightCharge() = default;
  explicit InflightCharge(InflightBudget* budget) : budget_(budget) {}
  InflightCharge(InflightCharge&& o) noexcept
      : budget_(std::exchange(o.budget_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
  InflightCharge& operator=(InflightCharge&& o) noexcept;
  InflightCharge(const InflightCharge&) = delete;
  InflightCharge& operator=(const InflightCharge&) = delete;
  ~InflightCharge() { reset(); }

  // Grows the charge to `total` bytes if the budget has them; true when the
  // charge is (now) at least `total`.
  bool try_cover(std::uint64_t total);
  // Grows the charge by `bytes` whatever is left.
  void force_grow(std::uint64_t bytes);
  // Sets the charge to `total` bytes whatever is left: growing to what is
  // in memory already, or giving back what was asked for and not used.
  void resize(std::uint64_t total);
  // Releases everything; the charge stays tied to its budget.
  void reset();
  std::uint64_t bytes() const { return bytes_; }
  InflightBudget* budget() const { return budget_; }

 private:
  InflightBudget* budget_ = nullptr;
  std::uint64_t bytes_ = 0;
};

// The default limits.inflight_bytes: an eighth of the machine's memory (at
// least 128 MiB, so that the largest request fits), so
// that content in flight, with the copies a message needs on its way,
// leaves the rest to the page cache, SQLite and the other processes.
std::uint64_t default_inflight_bytes();

}  // namespace postern
