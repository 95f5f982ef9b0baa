// Webhooks out over HTTP (admin scope; docs/events.md "Webhooks out"):
// the user's endpoints (made with a secret shown once; listed, read,
// deleted, disabled and enabled), and each endpoint's delivery log with a
// manual redeliver. The WebhookStore keeps them; the sender
// (events/webhook_sender.h) wakes on its changes.
#include <boost/json/array.hpp>
#include <charconv>

#include "core/time_format.h"
#include "events/webhook_endpoint_request.h"
#include "events/webhook_signature.h"
#include "http/handlers.h"
#include "http/query.h"
#include "http/responses.h"

namespace postern::http {
namespace json = boost::json;
namespace {

constexpr std::size_t kDefaultPage = 50;
constexpr std::size_t kMaxPage = 500;

json::value time_or_null(SystemTime t) {
  return t == SystemTime{} ? json::value(nullptr) : json::value(format_rfc3339(t));
}

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::object endpoint_json(const store::WebhookEndpoint& e) {
  json::array events;
  for (const auto& t : e.events) events.emplace_back(t);
  return json::object{{"id", e.id},
                      {"url", e.url},
                      {"events", std::move(events)},
                      {"created_at", format_rfc3339(e.created_at)},
                      {"enabled", e.enabled},
                      {"disabled_at", time_or_null(e.disabled_at)},
                      {"disabled_reason", text_or_null(e.disabled_reason)},
                      {"failing_since", time_or_null(e.failing_since)}};
}

json::object delivery_json(const store::WebhookDelivery& d) {
  const auto& e = d.event;
  bool pending = d.state == store::WebhookDeliveryState::pending;
  return json::object{
      {"id", d.id},
      {"event_id", events::webhook_id(e.id)},
      {"type", e.type},
      {"message_id", e.message.to_string()},
      {"recipient", text_or_null(e.recipient)},
      {"state", std::string(store::to_str(d.state))},
      {"attempts", d.attempts},
      {"last_status", d.last_status == 0 ? json::value(nullptr) : json::value(d.last_status)},
      {"last_error", text_or_null(d.last_error)},
      {"created_at", format_rfc3339(d.created_at)},
      {"last_attempt_at", time_or_null(d.last_attempt_at)},
      {"next_attempt_at", pending ? time_or_null(d.next_attempt_at) : json::value(nullptr)},
      {"latency_ms", d.last_attempt_at == SystemTime{}
                         ? json::value(nullptr)
                         : json::value(static_cast<double>(d.last_latency.count()) / 1000.0)}};
}

net::HttpResponse no_endpoint() {
  return error_response(404, "not_found", "no webhook endpoint has this id", "id");
}

// The store, or the answer when this node has none.
store::WebhookStore* webhook_store(ApiServices& s, net::Responder& respond) {
  if (!s.webhooks_out)
    respond(error_response(503, "unavailable", "webhooks out are not running on this node"));
  return s.webhooks_out;
}

// Answers a write's completion: 204, 404 naming `field`, or the store's error.
store::Completion<void> answer_write(net::Responder respond, std::string field) {
  return [respond, field = std::move(field)](Result<void> r) {
    if (r) return respond(no_content_response());
    if (r.error() == Errc::not_found)
      return respond(error_response(404, "not_found", "no such " + field, field));
    respond(store_error_response(r.error()));
  };
}

// The endpoint of the path, or nullopt after answering 404 (or a store
// error).
std::optional<store::WebhookEndpoint> path_endpoint(store::WebhookStore& w, Call& call,
                                                    net::Responder& respond) {
  auto ep = w.endpoint(call.param("id"));
  if (!ep) {
    respond(store_error_response(ep.error()));
    return std::nullopt;
  }
  if (!*ep) respond(no_endpoint());
  return std::move(*ep);
}

}  // namespace

void create_webhook_endpoint(ApiServices& s, Call& call, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  auto request = events::parse_webhook_endpoint_request(call.request.body);
  if (!request) return respond(field_error_response(400, request.error()));
  store::WebhookEndpoint ep;
  ep.id = events::make_webhook_endpoint_id();
  ep.url = std::move(request->url);
  ep.events = std::move(request->events);
  ep.secret = events::make_webhook_secret();
  ep.created_at = s.clock.now();
  auto reply = endpoint_json(ep);
  // The only time the secret is shown.
  reply["secret"] = ep.secret;
  w->create_endpoint(std::move(ep), [respond, reply = std::move(reply)](Result<void> r) {
    if (!r) return respond(store_error_response(r.error()));
    auto response = json_response(201, reply);
    response.headers.emplace_back(
        "Location", "/v1/webhook-endpoints/" + std::string(reply.at("id").as_string()));
    respond(std::move(response));
  });
}

void list_webhook_endpoints(ApiServices& s, Call&, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  auto endpoints = w->list_endpoints();
  if (!endpoints) return respond(store_error_response(endpoints.error()));
  json::array data;
  for (const auto& e : *endpoints) data.emplace_back(endpoint_json(e));
  respond(json_response(200, json::object{{"data", std::move(data)}}));
}

void get_webhook_endpoint(ApiServices& s, Call& call, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  if (auto ep = path_endpoint(*w, call, respond)) respond(json_response(200, endpoint_json(*ep)));
}

void delete_webhook_endpoint(ApiServices& s, Call& call, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  w->delete_endpoint(std::string(call.param("id")), answer_write(respond, "id"));
}

void disable_webhook_endpoint(ApiServices& s, Call& call, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  w->disable_endpoint(std::string(call.param("id")), s.clock.now(), "by request",
                      answer_write(respond, "id"));
}

void enable_webhook_endpoint(ApiServices& s, Call& call, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  w->enable_endpoint(std::string(call.param("id")), s.clock.now(), answer_write(respond, "id"));
}

void list_webhook_deliveries(ApiServices& s, Call& call, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  auto q = QueryParams::parse(call.request.query);
  if (!q) return respond(error_response(400, "invalid_query", "the query string is malformed"));
  auto limit = page_limit(*q, kDefaultPage, kMaxPage);
  if (!limit) return respond(field_error_response(400, limit.error()));
  std::int64_t before = 0;
  if (auto b = q->get("before")) {
    auto [end, ec] = std::from_chars(b->data(), b->data() + b->size(), before);
    if (ec != std::errc{} || end != b->data() + b->size() || before < 1)
      return respond(error_response(400, "invalid_value",
                                    "before must be a delivery id (a positive integer)", "before"));
  }
  auto ep = path_endpoint(*w, call, respond);
  if (!ep) return;
  auto page = w->deliveries(ep->id, before, *limit);
  if (!page) return respond(store_error_response(page.error()));
  json::array data;
  for (const auto& d : *page) data.emplace_back(delivery_json(d));
  json::value next = nullptr;
  if (page->size() == *limit && !page->empty()) next = page->back().id;
  respond(json_response(200, json::object{{"data", std::move(data)}, {"next_before", next}}));
}

void redeliver_webhook_delivery(ApiServices& s, Call& call, net::Responder respond) {
  auto* w = webhook_store(s, respond);
  if (!w) return;
  auto text = call.param("delivery_id");
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  auto none = [&] {
    respond(error_response(404, "not_found", "this endpoint has no delivery with this id",
                           "delivery_id"));
  };
  if (ec != std::errc{} || end != text.data() + text.size()) return none();
  auto d = w->delivery(id);
  if (!d) return respond(store_error_response(d.error()));
  if (!*d || (*d)->endpoint_id != call.param("id")) return none();
  w->redeliver(id, s.clock.now(), answer_write(respond, "delivery_id"));
}

}  // namespace postern::http
