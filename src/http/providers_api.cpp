// Providers at run time: list and inspect (read scope); create, change,
// remove, drain, pause, resume and heartbeats (admin scope). The routing
// service does the work; this file turns JSON into its calls and back.
#include <boost/json/array.hpp>

#include "http/handlers.h"
#include "http/responses.h"
#include "http/routing_json.h"

namespace postern::http {
namespace json = boost::json;

namespace {

net::HttpResponse no_routing() {
  return error_response(503, "unavailable", "routing is not running on this node");
}

// Answers a change with `status` and the provider's view once it is durable.
routing::Reply<routing::ProviderView> view_reply(int status, net::Responder respond) {
  return [status, respond](Result<routing::ProviderView, routing::RoutingError> r) {
    if (!r) return respond(routing_error_response(r.error()));
    respond(json_response(status, provider_json(*r)));
  };
}

void set_admin(ApiServices& s, Call& call, net::Responder respond, routing::AdminState state) {
  if (!s.routing) return respond(no_routing());
  s.routing->set_admin(std::string(call.param("name")), state, view_reply(200, respond));
}

// PUT replaces the fields given (settings as a whole); PATCH merges
// settings key by key (null removes one), so that a client that was shown
// masked credentials can change a host without sending them again.
void change_provider(ApiServices& s, Call& call, net::Responder respond, bool merge_settings) {
  if (!s.routing) return respond(no_routing());
  auto body = json_object_body(call.request.body);
  if (!body) return respond(field_error_response(400, body.error()));
  auto config = s.routing->definition(std::string(call.param("name")));
  if (!config) return respond(routing_error_response(config.error()));
  if (merge_settings) {
    if (auto ok = merge_provider_settings(config->settings, *body); !ok)
      return respond(field_error_response(422, ok.error()));
  }
  if (auto ok = apply_provider_body(*body, false, *config); !ok)
    return respond(field_error_response(422, ok.error()));
  s.routing->update(std::move(*config), view_reply(200, respond));
}

}  // namespace

void list_providers(ApiServices& s, Call&, net::Responder respond) {
  if (!s.routing) return respond(no_routing());
  json::array data;
  for (const auto& v : s.routing->list()) data.emplace_back(provider_json(v));
  respond(json_response(200, json::object{{"data", std::move(data)}}));
}

void get_provider(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.routing) return respond(no_routing());
  auto view = s.routing->get(std::string(call.param("name")));
  if (!view) return respond(routing_error_response(view.error()));
  respond(json_response(200, provider_json(*view)));
}

void create_provider(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.routing) return respond(no_routing());
  auto body = json_object_body(call.request.body);
  if (!body) return respond(field_error_response(400, body.error()));
  ProviderConfig config;
  if (auto ok = apply_provider_body(*body, true, config); !ok)
    return respond(field_error_response(422, ok.error()));
  if (config.name.empty())
    return respond(error_response(422, "invalid_value", "is required", "name"));
  s.routing->create(std::move(config), view_reply(201, respond));
}

void update_provider(ApiServices& s, Call& call, net::Responder respond) {
  change_provider(s, call, std::move(respond), false);
}

void patch_provider(ApiServices& s, Call& call, net::Responder respond) {
  change_provider(s, call, std::move(respond), true);
}

void delete_provider(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.routing) return respond(no_routing());
  // 202: the provider leaves once its attempts in flight have answered.
  s.routing->remove(std::string(call.param("name")), view_reply(202, respond));
}

void drain_provider(ApiServices& s, Call& call, net::Responder respond) {
  set_admin(s, call, std::move(respond), routing::AdminState::draining);
}

void pause_provider(ApiServices& s, Call& call, net::Responder respond) {
  set_admin(s, call, std::move(respond), routing::AdminState::paused);
}

void resume_provider(ApiServices& s, Call& call, net::Responder respond) {
  set_admin(s, call, std::move(respond), routing::AdminState::active);
}

void provider_heartbeat(ApiServices& s, Call& call, net::Responder respond) {
  if (!s.routing) return respond(no_routing());
  routing::HeartbeatRequest request;
  request.name = std::string(call.param("name"));
  // A client certificate beats for the provider its CN names, no other.
  if (call.principal.kind == auth::Principal::Kind::client_certificate &&
      call.principal.name != request.name) {
    return respond(error_response(403, "certificate_mismatch",
                                  "the client certificate (CN " + call.principal.name +
                                      ") may only send heartbeats for '" + call.principal.name +
                                      "'",
                                  "name"));
  }
  if (!call.request.body.empty()) {
    auto body = json_object_body(call.request.body);
    if (!body) return respond(field_error_response(400, body.error()));
    // Details are read against the provider's current definition, so a
    // beat may carry only what changed.
    auto current = s.routing->definition(request.name);
    ProviderConfig details = current ? *current : ProviderConfig{};
    details.name = request.name;
    bool has_details = false;
    for (const auto& [k, _] : *body) has_details |= k != "ttl";
    if (auto ok = apply_provider_body(*body, false, details, &request.ttl); !ok) {
      return respond(field_error_response(422, ok.error()));
    }
    if (has_details) request.details = std::move(details);
  }
  s.routing->heartbeat(std::move(request), [respond](auto reply) {
    if (!reply) return respond(routing_error_response(reply.error()));
    respond(json_response(reply->registered ? 201 : 200,
                          json::object{{"registered", reply->registered},
                                       {"returned", reply->returned},
                                       {"ttl_ms", reply->ttl.count()},
                                       {"provider", provider_json(reply->provider)}}));
  });
}

}  // namespace postern::http
