// The HTTP/1.1 server (Beast, C++20 coroutines): keep-alive, size limits,
// deadlines on every read, and graceful shutdown (stop accepting, finish
// in-flight requests, close idle connections).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/metrics.h"
#include "net/http_message.h"
#include "net/io_runtime.h"

namespace postern::net {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8025";  // host:port; port 0 picks a free one
  std::size_t max_body_bytes = 40 * 1024 * 1024;
  std::size_t max_header_bytes = 64 * 1024;
  std::chrono::seconds idle_timeout{60};     // between requests on a keep-alive connection
  std::chrono::seconds request_timeout{30};  // to receive one request and to send its answer
  // 431 past either: one header field line, and the number of fields.
  std::size_t max_header_field_bytes = 8 * 1024;
  std::size_t max_header_fields = 100;
  std::size_t max_connections = 10000;
};

class HttpServer {
 public:
  // The handler is called on the I/O thread of each connection.
  HttpServer(IoRuntime& io, HttpServerOptions options, HttpHandler handler,
             MetricsRegistry& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Returns the bound port. Errors: the address
  // cannot be parsed or bound (the error_code of the bind).
  Result<std::uint16_t> start();

  // Stops accepting, lets requests in flight finish (up to `grace`), closes
  // idle keep-alive connections, then closes whatever is left. Blocks until
  // every connection has ended. Idempotent.
  void stop(std::chrono::milliseconds grace);

  std::size_t connection_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::net
