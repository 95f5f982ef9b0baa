// Small HTTP and message helpers the simulated APIs share: header values
// and their parameters, credentials, responses, dates, and one header of a
// raw RFC 5322 message.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/header_value.h"  // media_type, for the services
#include "net/http_message.h"

namespace postern::sim {

// One parameter of a header value such as Content-Type or
// Content-Disposition (RFC 9110 §5.6.6; quoted strings unescaped). The
// name is case-insensitive. nullopt when absent.
std::optional<std::string> header_parameter(std::string_view value, std::string_view name);

// HTTP Basic credentials (RFC 7617): user and password, or nullopt when the
// header is not "Basic <base64 of user:password>".
std::optional<std::pair<std::string, std::string>> basic_credentials(
    std::string_view authorization);

// The token of "Bearer <token>" (RFC 6750 §2.1), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// RFC 2822 date in UTC as Mailgun writes it: "Mon, 20 Dec 2021 20:33:21 UTC".
std::string rfc2822_date(SystemTime t);

// Seconds since the Unix epoch.
long long unix_seconds(SystemTime t);

// The path split at '/', empty segments dropped: "/v3/x/messages" ->
// {"v3", "x", "messages"}.
std::vector<std::string_view> path_segments(std::string_view path);

// The %XX escapes of a path segment or parameter decoded (core/percent.h);
// one with a malformed escape is kept as written, for the service to
// refuse by its own rules.
std::string percent_decode(std::string_view s);

net::HttpResponse json_response(int status, const boost::json::value& body);
net::HttpResponse text_response(int status, std::string body,
                                std::string content_type = "text/plain; charset=utf-8");

// "host:port", with an IPv6 host in brackets ("[::1]:25").
std::string host_port(std::string_view host, std::uint16_t port);

// "Service Unavailable" and the like, for bodies that name the status.
std::string_view reason_phrase(int status);

// The unfolded, trimmed value of the first header field `name` of a raw
// message (RFC 5322 §2.2), searched only in the header section; nullopt when
// absent. Lines may end in CRLF or LF.
std::optional<std::string> raw_header(std::string_view message, std::string_view name);

}  // namespace postern::sim
