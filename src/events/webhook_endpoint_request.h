// The body of POST /v1/webhook-endpoints, checked: {"url", "events"?}.
// Outside input, so its own parser (fuzzed) rather than inline in the API.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/field_error.h"

namespace postern::events {

struct WebhookEndpointRequest {
  std::string url;                  // http:// or https://, with a host
  std::vector<std::string> events;  // known types, no repeats; empty: all
};

// Errors name the field: "body", "url", "events", "events[2]", or the
// unknown field.
Result<WebhookEndpointRequest, FieldError> parse_webhook_endpoint_request(std::string_view body);

}  // namespace postern::events
