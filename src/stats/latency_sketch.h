// A latency distribution in a fixed, small space: counts in log-spaced bins
// (each 25% wider than the one before, from 100 µs to about two minutes), so
// that the dashboard's p50/p95 of a provider over ten seconds costs 64
// counters however many attempts there were, and two sketches add up
// (a bucket of the hour is the sum of its attempts). Answers are within
// half a bin (about 12%) of the true quantile; a hand-written piece because
// the libraries at hand (Prometheus-style histograms in core/metrics.h) keep
// cumulative totals since start, not a window.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

namespace postern::stats {

class LatencySketch {
 public:
  static constexpr std::size_t kBins = 64;

  void add(std::chrono::microseconds latency);
  void merge(const LatencySketch& other);
  std::uint64_t count() const { return count_; }
  // The `q` quantile (0..1) in milliseconds: the geometric middle of the
  // bin it falls in; nullopt when nothing was added.
  std::optional<double> quantile_ms(double q) const;

  // The bin a latency falls in, and a bin's bounds in microseconds (for tests).
  static std::size_t bin_of(std::chrono::microseconds latency);
  static double lower_us(std::size_t bin);
  static double upper_us(std::size_t bin);

 private:
  std::array<std::uint32_t, kBins> bins_{};
  std::uint64_t count_ = 0;
};

}  // namespace postern::stats
