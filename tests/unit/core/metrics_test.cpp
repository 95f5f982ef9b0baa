#include "core/metrics.h"

#include <gtest/gtest.h>

namespace postern {
namespace {

TEST(Metrics, RendersCountersGaugesAndHistograms) {
  MetricsRegistry reg;
  reg.counter("requests_total", "Requests", {{"route", "/v1/messages"}, {"code", "202"}}).inc(3);
  reg.gauge("queue_depth", "Depth").set(7);
  auto& h = reg.histogram("latency_seconds", "Latency", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  auto text = reg.render();
  EXPECT_NE(text.find("# TYPE requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("requests_total{route=\"/v1/messages\",code=\"202\"} 3"), std::string::npos);
  EXPECT_NE(text.find("queue_depth 7"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.1\"} 1"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"1\"} 2"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_count 3"), std::string::npos);
}

TEST(Metrics, SameNameAndLabelsIsTheSameMetric) {
  MetricsRegistry reg;
  auto& a = reg.counter("x_total", "X", {{"k", "v"}});
  auto& b = reg.counter("x_total", "X", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &reg.counter("x_total", "X", {{"k", "w"}}));
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(format_labels({{"a", "q\"b\\\n"}}), "{a=\"q\\\"b\\\\\\n\"}");
}

TEST(Metrics, CollectorsAppendAtScrapeTime) {
  MetricsRegistry reg;
  int calls = 0;
  reg.add_collector([&](std::string& out) {
    ++calls;
    out += "computed 1\n";
  });
  EXPECT_NE(reg.render().find("computed 1"), std::string::npos);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace postern
