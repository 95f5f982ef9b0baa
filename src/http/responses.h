// Building the API's responses: JSON bodies and the one error shape
// {"error": {"code", "message", "field"}}.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <string_view>

#include "core/error.h"
#include "core/field_error.h"
#include "net/http_message.h"

namespace postern::http {

net::HttpResponse json_response(int status, const boost::json::value& body);
net::HttpResponse error_response(int status, std::string_view code, std::string_view message,
                                 std::string_view field = "");
// 204, no body.
net::HttpResponse no_content_response();
net::HttpResponse field_error_response(int status, const FieldError& error);
// How long the connection of a request refused with 429 reads nothing
// more: its Retry-After, at most this. A client that honours Retry-After
// does not notice; one that keeps asking (a flood, 1,000 connections at
// once) is answered once a second per connection instead of as fast as it
// sends, so the clients within their limits keep their latency
// (docs/operations.md "Abuse limits").
inline constexpr std::chrono::milliseconds kRefusedConnectionHold{1000};
// 429 with Retry-After (whole seconds) and the error body; the connection
// is held (kRefusedConnectionHold).
net::HttpResponse too_many_requests(std::chrono::seconds retry_after, std::string_view code,
                                    std::string_view message);
// The answer for a store error: 404, 409, 503 with Retry-After, 507.
net::HttpResponse store_error_response(const error_code& ec);

}  // namespace postern::http
