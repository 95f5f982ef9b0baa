// The HTTP/1.1 server (Beast, C++20 coroutines): keep-alive, size limits,
// deadlines on every read, and graceful shutdown (stop accepting, finish
// in-flight requests, close idle connections). Optionally a second, HTTPS
// listener: the same connections over TLS.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/inflight_budget.h"
#include "core/metrics.h"
#include "net/http_message.h"
#include "net/io_runtime.h"
#include "net/proxy_options.h"
#include "net/server_tls_options.h"

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
  std::size_t max_connections = 10000;  // plain and TLS together
  // HTTPS: "" for none, else host:port of a listener that serves the same
  // API over TLS with `tls` (reloadable, see tls_certificate()).
  std::string tls_listen;
  // PEM CA file: a client certificate it signed is verified and its subject
  // CN given to the handler (HttpRequest::client_certificate). "": none asked.
  std::string tls_client_ca;
  std::chrono::seconds tls_handshake_timeout{10};  // from accept to the end of the handshake
  ServerTlsOptions tls;                            // [tls]: set by the application, not [http]
  ProxyProtocolOptions proxy;  // http.proxy_protocol, http.proxy_from: both listeners
  // limits.inflight_bytes: request bodies are charged to it while their
  // request is handled, 503 past it. Set by the application; null: none.
  InflightBudget* budget = nullptr;
};

class ServerCertificate;

class HttpServer {
 public:
  // The handler is called on the I/O thread of each connection.
  HttpServer(IoRuntime& io, HttpServerOptions options, HttpHandler handler,
             MetricsRegistry& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting (and, with tls_listen, loads the certificate
  // and binds the HTTPS listener). Returns the plain listener's port.
  // Errors: an address cannot be parsed or bound (the error_code of the
  // bind); the certificate or client CA cannot be loaded (invalid_argument,
  // logged).
  Result<std::uint16_t> start();

  // The HTTPS listener's port once started; 0 without one.
  std::uint16_t tls_port() const;
  // The HTTPS listener's certificate, for reloads (SIGHUP); null without one.
  std::shared_ptr<ServerCertificate> tls_certificate() const;

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
