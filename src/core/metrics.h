// Prometheus metrics: counters, gauges and histograms registered by name and
// labels, rendered in the text exposition format (version 0.0.4) for
// GET /metrics. Owned by the application and passed by reference; no global
// registry. Updating a metric is lock-free; looking one up takes a mutex, so
// hot paths keep the reference they were given.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace postern {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative count of observations <= bounds()[i].
  std::uint64_t cumulative(std::size_t i) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Bucket sets used across the project.
std::vector<double> latency_buckets_seconds();  // 100 µs .. 30 s
std::vector<double> size_buckets();             // 1 .. 4096

class MetricsRegistry {
 public:
  // Returns the metric of this name and label set, creating it on first use.
  // References stay valid for the registry's lifetime.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& bounds, const Labels& labels = {});

  // A collector appends lines computed at scrape time (e.g. queue depth read
  // from the store). It must write complete families, HELP and TYPE included.
  void add_collector(std::function<void(std::string&)> collector);

  std::string render() const;

 private:
  enum class Type { counter, gauge, histogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, const std::string& help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

// {a="1",b="2"} with values escaped; empty string for no labels.
std::string format_labels(const Labels& labels);

}  // namespace postern
