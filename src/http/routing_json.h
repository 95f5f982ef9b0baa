// JSON for the routing endpoints (providers, routing, heartbeats): views
// out, definitions in, and routing errors as the API's error shape. Shared
// by providers_api.cpp and routing_api.cpp so both speak alike.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/field_error.h"
#include "net/http_message.h"
#include "providers/provider_config.h"
#include "routing/routing_service.h"

namespace postern::http {

boost::json::object provider_json(const routing::ProviderView& view);
boost::json::object routing_json(const routing::RoutingView& view);

// 404, 409, 422, 403 or 503 with the field named.
net::HttpResponse routing_error_response(const routing::RoutingError& error);

// Applies a provider body ({"type", "pool", "weight", "priority",
// "rate_limit", "burst", "max_concurrency", "probe", "settings": {...}},
// and "name" when `allow_name`) onto `config`: the fields given replace,
// "settings" replaces all settings. `ttl` receives "ttl" when not null (a
// heartbeat), and is refused otherwise.
Result<void, FieldError> apply_provider_body(
    const boost::json::object& body, bool allow_name, ProviderConfig& config,
    std::optional<std::chrono::milliseconds>* ttl = nullptr);

// For PATCH: turns the body's "settings" (when given) into the whole new
// settings, `current` with the keys given replaced and those given as null
// removed, ready for apply_provider_body.
Result<void, FieldError> merge_provider_settings(const std::map<std::string, std::string>& current,
                                                 boost::json::object& body);

// The PUT /v1/routing body.
Result<routing::RoutingUpdate, FieldError> parse_routing_update(const boost::json::object& body);

// The request body as a JSON object, or a 400 answer.
Result<boost::json::object, FieldError> json_object_body(const std::string& body);

}  // namespace postern::http
