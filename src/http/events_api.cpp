// GET /v1/events: the routing events as server-sent events (text/event-
// stream), one `id:`/`event:`/`data:` block per event, a comment ping every
// 15 s of silence so a dead client is noticed, Last-Event-ID to resume;
// with ?live=stats,message_status,inbox_mail, those live-only events too
// (stats/live_feed.h).
#include <algorithm>
#include <atomic>

#include "core/decimal.h"
#include "core/field_error.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/responses.h"
#include "routing/routing_service.h"

namespace postern::http {
namespace {

class EventStream final : public net::ResponseStream {
 public:
  explicit EventStream(std::shared_ptr<routing::Subscription> subscription)
      : subscription_(std::move(subscription)) {}

  // net::ResponseStream
  void next(std::function<void(std::optional<std::string>)> done) override {
    if (!greeted_.exchange(true)) return done(std::string("retry: 3000\n: connected\n\n"));
    subscription_->next([done = std::move(done)](routing::EventBatch batch) {
      if (batch.closed) return done(std::nullopt);
      if (batch.ping) return done(std::string(": ping\n\n"));
      std::string out;
      for (const auto& e : batch.events) {
        // Live-only events have no id: the client's Last-Event-ID stays
        // that of the last routing event (EventBus::publish_live).
        if (e.id != 0) out += "id: " + std::to_string(e.id) + "\n";
        out += "event: " + e.type + "\ndata: " + e.data + "\n\n";
      }
      done(std::move(out));
    });
  }
  void cancel() override { subscription_->close(); }

 private:
  std::shared_ptr<routing::Subscription> subscription_;
  std::atomic<bool> greeted_{false};
};

constexpr std::string_view kLiveTypes[] = {"stats", "message_status", "inbox_mail"};

// The live-only types of ?live= (comma-separated), or the field error.
Result<std::vector<std::string>, FieldError> live_types(const net::HttpRequest& request) {
  std::vector<std::string> out;
  auto q = QueryParams::parse(request.query);
  if (!q) return FieldError{"invalid_query", "the query string is malformed", "live"};
  auto value = q->get("live");
  if (!value) return out;
  std::string_view rest = *value;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto type = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (std::find(std::begin(kLiveTypes), std::end(kLiveTypes), type) == std::end(kLiveTypes))
      return FieldError{"invalid_value",
                        "live takes stats, message_status and inbox_mail, comma-separated", "live"};
    out.emplace_back(type);
  }
  return out;
}

}  // namespace

void stream_events(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.routing)
    return respond(error_response(503, "unavailable", "routing is not running on this node"));
  auto live = live_types(call.request);
  if (!live) return respond(field_error_response(400, live.error()));
  std::optional<std::uint64_t> after;
  auto last = call.request.header("Last-Event-ID");
  if (auto id = parse_decimal<std::uint64_t>(last)) after = id;
  net::HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("X-Accel-Buffering", "no");  // proxies must not hold events back
  r.stream = std::make_shared<EventStream>(s.routing->events().subscribe(after, std::move(*live)));
  respond(std::move(r));
}

}  // namespace postern::http
