// An HTTP request as the server hands it to a handler, for tests that call
// handlers without a socket.
#pragma once

#include <string>

#include "net/http_message.h"

namespace postern::test {

// `target` is split into path and query as the server splits it.
inline net::HttpRequest http_request(std::string method, std::string target,
                                     net::HttpHeaders headers = {}, std::string body = "") {
  net::HttpRequest r;
  r.method = std::move(method);
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

}  // namespace postern::test
