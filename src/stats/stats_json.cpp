#include "stats/stats_json.h"

#include "core/time_format.h"

namespace postern::stats {

namespace json = boost::json;

namespace {

double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

json::value quantile(const LatencySketch& s, double q) {
  if (auto v = s.quantile_ms(q)) return *v;
  return nullptr;
}

}  // namespace

json::object bucket_json(const TrafficBucket& b) {
  const auto total = b.attempts();
  json::object providers;
  for (const auto& [name, p] : b.providers) {
    providers[name] = json::object{
        {"attempts", p.attempts},
        {"ok", p.ok},
        {"success_rate", p.attempts ? json::value(ratio(p.ok, p.attempts)) : json::value(nullptr)},
        {"share", ratio(p.attempts, total)},
        {"latency_p50_ms", quantile(p.latency, 0.5)},
        {"latency_p95_ms", quantile(p.latency, 0.95)},
    };
  }
  return json::object{{"start", format_rfc3339(b.start)},
                      {"accepted", b.accepted},
                      {"sent", b.sent},
                      {"failed", b.failed},
                      {"deferred", b.deferred},
                      {"attempts", total},
                      {"providers", std::move(providers)}};
}

json::object queue_json(const std::vector<std::int64_t>& counts) {
  json::object out;
  for (int s = 0; s < kMessageStatusCount; ++s) {
    const auto i = static_cast<std::size_t>(s);
    out[kMessageStatusNames[i]] = i < counts.size() ? counts[i] : 0;
  }
  return out;
}

json::object rates_json(const Rates& r) {
  return json::object{
      {"accepted", r.accepted}, {"sent", r.sent}, {"failed", r.failed}, {"attempts", r.attempts}};
}

}  // namespace postern::stats
