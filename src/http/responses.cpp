#include "http/responses.h"

#include <boost/json/serialize.hpp>

namespace postern::http {

net::HttpResponse json_response(int status, const boost::json::value& body) {
  net::HttpResponse r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

net::HttpResponse error_response(int status, std::string_view code, std::string_view message,
                                 std::string_view field) {
  net::HttpResponse r;
  r.status = status;
  r.body = net::json_error_body(code, message, field);
  return r;
}

net::HttpResponse no_content_response() {
  net::HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

net::HttpResponse field_error_response(int status, const FieldError& e) {
  return error_response(status, e.code, e.message, e.field);
}

net::HttpResponse store_error_response(const error_code& ec) {
  if (ec == Errc::not_found) return error_response(404, "not_found", "no such message");
  if (ec == Errc::conflict)
    return error_response(409, "conflict", "the request conflicts with the message's state");
  if (ec == Errc::storage_full) {
    return error_response(507, "storage_full",
                          "the store is full; nothing was accepted, try again later");
  }
  auto r =
      error_response(503, ec == Errc::overloaded ? "overloaded" : "unavailable",
                     "the store cannot take this now (" + ec.message() + "); try again shortly");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

net::HttpResponse too_many_requests(std::chrono::seconds retry_after, std::string_view code,
                                    std::string_view message) {
  auto r = error_response(429, code, message);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
  r.hold_connection = std::min<std::chrono::milliseconds>(retry_after, kRefusedConnectionHold);
  return r;
}

}  // namespace postern::http
