#include "stats/latency_sketch.h"

#include <algorithm>
#include <cmath>

namespace postern::stats {
namespace {

constexpr double kFirstUpperUs = 100.0;  // bin 0 holds everything under 100 µs
constexpr double kGrowth = 1.25;

}  // namespace

std::size_t LatencySketch::bin_of(std::chrono::microseconds latency) {
  const auto us = static_cast<double>(latency.count());
  if (us < kFirstUpperUs) return 0;
  const auto bin =
      static_cast<std::size_t>(std::floor(std::log(us / kFirstUpperUs) / std::log(kGrowth))) + 1;
  return std::min(bin, kBins - 1);
}

double LatencySketch::lower_us(std::size_t bin) {
  return bin == 0 ? 0.0 : kFirstUpperUs * std::pow(kGrowth, static_cast<double>(bin - 1));
}

double LatencySketch::upper_us(std::size_t bin) {
  return kFirstUpperUs * std::pow(kGrowth, static_cast<double>(bin));
}

void LatencySketch::add(std::chrono::microseconds latency) {
  ++bins_[bin_of(std::max(latency, std::chrono::microseconds(0)))];
  ++count_;
}

void LatencySketch::merge(const LatencySketch& other) {
  for (std::size_t i = 0; i < kBins; ++i) bins_[i] += other.bins_[i];
  count_ += other.count_;
}

std::optional<double> LatencySketch::quantile_ms(double q) const {
  if (count_ == 0) return std::nullopt;
  // The rank of the quantile, 1-based: the smallest bin whose running
  // count reaches it holds the answer.
  const auto rank = std::max<std::uint64_t>(
      1,
      static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  std::size_t bin = 0;
  for (; bin < kBins; ++bin) {
    seen += bins_[bin];
    if (seen >= rank) break;
  }
  bin = std::min(bin, kBins - 1);
  const double middle_us = bin == 0 ? kFirstUpperUs / 2 : std::sqrt(lower_us(bin) * upper_us(bin));
  return middle_us / 1000.0;
}

}  // namespace postern::stats
