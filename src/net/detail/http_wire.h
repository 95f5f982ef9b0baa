// The bytes of an HTTP/1.1 response head, written by hand: one string and one
// write per response is much cheaper than Beast's generic serializer on the
// intake hot path.
#pragma once

#include <string>

#include "net/http_message.h"

namespace postern::net::detail {

// Status line and header fields of `response`, ending with the blank line.
// Adds Server, Content-Type (when set) and Content-Length (not on a 304);
// Connection when the connection closes (or stays open for an HTTP/1.0
// client).
std::string response_head(const HttpResponse& response, unsigned version, bool keep_alive);

// "Accepted" for 202 and so on; "Unknown" for codes without a phrase.
std::string_view reason_phrase(int status);

}  // namespace postern::net::detail
