// The JSON of the dashboard's figures, shared by GET /v1/stats and the
// `stats` event of /v1/events (docs/api.md "Statistics").
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <vector>

#include "stats/traffic_stats.h"

namespace postern::stats {

// {"start", "accepted", "sent", "failed", "deferred", "attempts",
//  "providers": {name: {attempts, ok, success_rate, share, latency_p50_ms,
//  latency_p95_ms}}}: share is the provider's part of the bucket's attempts.
boost::json::object bucket_json(const TrafficBucket& bucket);
// {status name: count} for every status, from Store::count_by_status.
boost::json::object queue_json(const std::vector<std::int64_t>& counts);
// {"accepted", "sent", "failed", "attempts"}: per second.
boost::json::object rates_json(const Rates& rates);

}  // namespace postern::stats
