#include "net/detail/http_wire.h"

#include <boost/beast/http/status.hpp>

namespace postern::net::detail {

std::string_view reason_phrase(int status) {
  auto r = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  return r.empty() ? std::string_view("Unknown") : std::string_view(r.data(), r.size());
}

std::string response_head(const HttpResponse& r, unsigned version, bool keep_alive) {
  std::string out;
  out.reserve(160 + r.headers.size() * 48);
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += reason_phrase(r.status);
  out += "\r\nServer: postern\r\n";
  if (!r.content_type.empty()) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\n";
  }
  for (const auto& [name, value] : r.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (version == 10) {
    out += "Connection: keep-alive\r\n";
  }
  // A 304 has no content, and a Content-Length there would have to be the
  // 200's (RFC 9110 §8.6): none is sent.
  if (r.status != 304) {
    out += "Content-Length: ";
    out += std::to_string(r.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace postern::net::detail
