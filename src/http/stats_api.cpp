// GET /v1/stats: the dashboard's figures in one read: queue depth by status
// (the store's counters), the rates of the last second, and this node's
// traffic over the last hour in buckets (stats/traffic_stats.h), so that a
// page opened now shows the hour at once; the `stats` event of /v1/events
// carries the same figures every second after that.
#include <boost/json/array.hpp>

#include "core/time_format.h"
#include "http/handlers.h"
#include "http/responses.h"
#include "stats/stats_json.h"

namespace postern::http {

namespace json = boost::json;

void get_stats(ApiServices& s, Call&, net::Responder respond) {
  if (!s.traffic)
    return respond(error_response(503, "unavailable", "statistics are not kept on this node"));
  auto counts = s.store.count_by_status();
  if (!counts) return respond(store_error_response(counts.error()));
  json::array history;
  for (const auto& b : s.traffic->history()) history.emplace_back(stats::bucket_json(b));
  const auto width = s.traffic->bucket_width();
  respond(json_response(200, json::object{{"at", format_rfc3339(s.clock.now())},
                                          {"bucket_seconds", width.count() / 1000},
                                          {"window_seconds", s.traffic->window().count() / 1000},
                                          {"queue", stats::queue_json(*counts)},
                                          {"rates", stats::rates_json(s.traffic->rates())},
                                          {"history", std::move(history)}}));
}

}  // namespace postern::http
