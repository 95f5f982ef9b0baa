// GET /v1/events: the routing events as server-sent events (text/event-
// stream), one `id:`/`event:`/`data:` block per event, a comment ping every
// 15 s of silence so a dead client is noticed, Last-Event-ID to resume.
#include <atomic>

#include "core/decimal.h"
#include "http/handlers.h"
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
        out += "id: " + std::to_string(e.id) + "\nevent: " + e.type + "\ndata: " + e.data + "\n\n";
      }
      done(std::move(out));
    });
  }
  void cancel() override { subscription_->close(); }

 private:
  std::shared_ptr<routing::Subscription> subscription_;
  std::atomic<bool> greeted_{false};
};

}  // namespace

void stream_events(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.routing)
    return respond(error_response(503, "unavailable", "routing is not running on this node"));
  std::optional<std::uint64_t> after;
  auto last = call.request.header("Last-Event-ID");
  if (auto id = parse_decimal<std::uint64_t>(last)) after = id;
  net::HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("X-Accel-Buffering", "no");  // proxies must not hold events back
  r.stream = std::make_shared<EventStream>(s.routing->events().subscribe(after));
  respond(std::move(r));
}

}  // namespace postern::http
