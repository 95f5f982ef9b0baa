#include "core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace postern {
namespace {

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Counts as integers (100000, not 1e+05); other values as the shortest
  // text that reads back as the same double (0.05, not 0.050000000000000003).
  if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  return std::string(buf, end);
}

// Label string with one more label appended (for histogram "le").
std::string with_label(const std::string& labels, const std::string& name,
                       const std::string& value) {
  std::string extra = name + "=\"" + value + "\"";
  if (labels.empty()) return "{" + extra + "}";
  return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::cumulative(std::size_t i) const {
  std::uint64_t total = 0;
  for (std::size_t k = 0; k <= i && k <= bounds_.size(); ++k)
    total += buckets_[k].load(std::memory_order_relaxed);
  return total;
}

std::vector<double> latency_buckets_seconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}

std::vector<double> size_buckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
}

std::string format_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help,
                                                 Type type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    it->second.help = help;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + name + " registered twice with different types");
  }
  return it->second;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, Type::counter).counters[format_labels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, Type::gauge).gauges[format_labels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const std::vector<double>& bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, Type::histogram).histograms[format_labels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void MetricsRegistry::add_collector(std::function<void(std::string&)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
      const char* type = f.type == Type::counter ? "counter"
                         : f.type == Type::gauge ? "gauge"
                                                 : "histogram";
      out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
      for (const auto& [labels, c] : f.counters)
        out += name + labels + " " + std::to_string(c->value()) + "\n";
      for (const auto& [labels, g] : f.gauges)
        out += name + labels + " " + format_number(g->value()) + "\n";
      for (const auto& [labels, h] : f.histograms) {
        for (std::size_t i = 0; i < h->bounds().size(); ++i) {
          out += name + "_bucket" + with_label(labels, "le", format_number(h->bounds()[i])) + " " +
                 std::to_string(h->cumulative(i)) + "\n";
        }
        out += name + "_bucket" + with_label(labels, "le", "+Inf") + " " +
               std::to_string(h->count()) + "\n";
        out += name + "_sum" + labels + " " + format_number(h->sum()) + "\n";
        out += name + "_count" + labels + " " + std::to_string(h->count()) + "\n";
      }
    }
    collectors = collectors_;
  }
  for (const auto& c : collectors) c(out);
  return out;
}

}  // namespace postern
