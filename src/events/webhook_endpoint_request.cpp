#include "events/webhook_endpoint_request.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "events/webhook_event_types.h"

namespace postern::events {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxUrl = 2048;

Result<std::string, FieldError> checked_url(const json::value& v) {
  if (!v.is_string()) return FieldError{"invalid_type", "url must be a string", "url"};
  std::string url(v.get_string());
  if (url.size() > kMaxUrl)
    return FieldError{"invalid_value", "url is longer than 2048 characters", "url"};
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed)
    return FieldError{"invalid_value", "url must be an absolute http:// or https:// URL", "url"};
  auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
    return FieldError{"invalid_value", "url must use http or https", "url"};
  if (parsed->encoded_host().empty())
    return FieldError{"invalid_value", "url must name a host", "url"};
  if (parsed->has_userinfo())
    return FieldError{"invalid_value", "url must not carry credentials", "url"};
  if (parsed->has_fragment())
    return FieldError{"invalid_value", "url must not have a fragment", "url"};
  // A scheme is case-insensitive (RFC 3986 §3.1): keep its canonical
  // lower-case form, the one the sender's HTTP client and readers expect.
  boost::urls::url canonical(*parsed);
  canonical.set_scheme_id(scheme);
  return Result<std::string, FieldError>(boost::system::in_place_value,
                                         std::string(canonical.buffer()));
}

Result<std::vector<std::string>, FieldError> checked_events(const json::value& v) {
  if (!v.is_array())
    return FieldError{"invalid_type", "events must be an array of event types", "events"};
  std::vector<std::string> out;
  const auto& a = v.get_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto field = "events[" + std::to_string(i) + "]";
    if (!a[i].is_string()) return FieldError{"invalid_type", "an event type is a string", field};
    std::string type(a[i].get_string());
    if (!is_webhook_event_type(type))
      return FieldError{"invalid_value", "unknown event type (see docs/events.md)", field};
    if (std::find(out.begin(), out.end(), type) != out.end())
      return FieldError{"invalid_value", "event type listed twice", field};
    out.push_back(std::move(type));
  }
  return Result<std::vector<std::string>, FieldError>(boost::system::in_place_value,
                                                      std::move(out));
}

}  // namespace

Result<WebhookEndpointRequest, FieldError> parse_webhook_endpoint_request(std::string_view body) {
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec || !doc.is_object())
    return FieldError{"invalid_json", "the body must be a JSON object", "body"};
  WebhookEndpointRequest r;
  bool has_url = false;
  for (const auto& [key, value] : doc.get_object()) {
    if (key == "url") {
      auto url = checked_url(value);
      if (!url) return url.error();
      r.url = std::move(*url);
      has_url = true;
    } else if (key == "events") {
      if (value.is_null()) continue;
      auto events = checked_events(value);
      if (!events) return events.error();
      r.events = std::move(*events);
    } else {
      // A field named "" cannot be pointed at: the body it is in is.
      return FieldError{"unknown_field", "unknown field; an endpoint has url and events",
                        key.empty() ? std::string("body") : std::string(key)};
    }
  }
  if (!has_url) return FieldError{"missing_field", "url is required", "url"};
  return Result<WebhookEndpointRequest, FieldError>(boost::system::in_place_value, std::move(r));
}

}  // namespace postern::events
