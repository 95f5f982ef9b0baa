#include "core/inflight_budget.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

namespace postern {

InflightBudget::InflightBudget(std::uint64_t limit, MetricsRegistry& metrics)
    : limit_(limit),
      used_gauge_(metrics.gauge("postern_inflight_bytes",
                                "Message content in memory: being received, stored or sent")),
      refused_smtp_(metrics.counter("postern_inflight_refusals_total",
                                    "Messages refused because limits.inflight_bytes was spent",
                                    {{"protocol", "smtp"}})),
      refused_http_(metrics.counter("postern_inflight_refusals_total",
                                    "Messages refused because limits.inflight_bytes was spent",
                                    {{"protocol", "http"}})) {
  metrics.gauge("postern_inflight_limit_bytes", "limits.inflight_bytes; 0: no limit")
      .set(static_cast<double>(limit));
}

std::uint64_t InflightBudget::room() const {
  if (limit_ == 0) return std::numeric_limits<std::uint64_t>::max();
  auto u = used();
  return u >= limit_ ? 0 : limit_ - u;
}

bool InflightBudget::try_charge(std::uint64_t bytes) {
  auto current = used_.load(std::memory_order_relaxed);
  do {
    if (limit_ != 0 && (current > limit_ || bytes > limit_ - current)) return false;
  } while (!used_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
  used_gauge_.add(static_cast<double>(bytes));
  return true;
}

void InflightBudget::charge(std::uint64_t bytes) {
  used_.fetch_add(bytes, std::memory_order_relaxed);
  used_gauge_.add(static_cast<double>(bytes));
}

void InflightBudget::release(std::uint64_t bytes) {
  used_.fetch_sub(bytes, std::memory_order_relaxed);
  used_gauge_.add(-static_cast<double>(bytes));
}

void InflightBudget::count_refusal(std::string_view protocol) {
  (protocol == "smtp" ? refused_smtp_ : refused_http_).inc();
}

InflightCharge& InflightCharge::operator=(InflightCharge&& o) noexcept {
  if (this != &o) {
    reset();
    budget_ = std::exchange(o.budget_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
  }
  return *this;
}

bool InflightCharge::try_cover(std::uint64_t total) {
  if (total <= bytes_) return true;
  if (budget_ && !budget_->try_charge(total - bytes_)) return false;
  bytes_ = total;
  return true;
}

void InflightCharge::force_grow(std::uint64_t bytes) {
  if (budget_) budget_->charge(bytes);
  bytes_ += bytes;
}

void InflightCharge::resize(std::uint64_t total) {
  if (total > bytes_) return force_grow(total - bytes_);
  if (budget_) budget_->release(bytes_ - total);
  bytes_ = total;
}

void InflightCharge::reset() {
  if (budget_ && bytes_ > 0) budget_->release(bytes_);
  bytes_ = 0;
}

std::uint64_t default_inflight_bytes() {
  auto pages = sysconf(_SC_PHYS_PAGES);
  auto page = sysconf(_SC_PAGESIZE);
  // At least the default http.max_body_bytes and then some: the largest
  // request must fit (app/config.cpp checks), even on a small machine.
  constexpr std::uint64_t kFloor = 128ull << 20;
  if (pages <= 0 || page <= 0) return kFloor;
  return std::max(kFloor, static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 8);
}

}  // namespace postern
