// Routing at run time: GET /v1/routing shows the strategy, routes, pools
// and health settings; PUT /v1/routing changes the strategy, the default
// pool and the routes, kept in the store (docs/routing.md "Run-time changes").
#include "http/handlers.h"
#include "http/responses.h"
#include "http/routing_json.h"

namespace postern::http {

void get_routing(ApiServices& s, Call&, net::Responder respond) {
  if (!s.routing)
    return respond(error_response(503, "unavailable", "routing is not running on this node"));
  respond(json_response(200, routing_json(s.routing->routing())));
}

void put_routing(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.routing)
    return respond(error_response(503, "unavailable", "routing is not running on this node"));
  auto body = json_object_body(call.request.body);
  if (!body) return respond(field_error_response(400, body.error()));
  auto update = parse_routing_update(*body);
  if (!update) return respond(field_error_response(422, update.error()));
  s.routing->set_routing(std::move(*update), [respond](auto view) {
    if (!view) return respond(routing_error_response(view.error()));
    respond(json_response(200, routing_json(*view)));
  });
}

}  // namespace postern::http
