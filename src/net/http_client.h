// The pooled HTTP/1.1 client every HTTP API provider shares (Beast + OpenSSL
// inside the .cpp; this header needs no Asio). Keep-alive connections are
// pooled per scheme://host:port; TLS verifies certificates and host names.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "net/tls_context.h"

namespace postern::net {

class IoRuntime;

using HttpClientHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpClientRequest {
  std::string method = "GET";  // upper case
  std::string url;             // http:// or https://, with path and query, already encoded
  // Sent in this order. Host, User-Agent and Content-Length are added when
  // absent; a caller that signs its headers (SigV4) sets Host itself, with
  // host_header_of(url).
  HttpClientHeaders headers;
  std::string body;
  // The whole exchange: connect (itself capped by connect_timeout), send and
  // the complete response.
  std::chrono::milliseconds timeout{30000};
};

struct HttpClientResponse {
  int status = 0;
  HttpClientHeaders headers;
  std::string body;  // de-chunked
  // The first header of that name (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10000};  // TCP connect + TLS handshake
  // Pooled keep-alive connections per host. Under load the dispatcher has
  // hundreds of requests in flight; a small pool closed every connection
  // opened beyond it after one request (3,000 connects and TIME_WAITs per
  // second and provider in the end-to-end benchmark).
  std::size_t max_idle_per_host = 256;
  std::chrono::milliseconds idle_expiry{30000};  // pooled connections idle longer are closed
  std::size_t max_response_body_bytes = 16 * 1024 * 1024;
  std::size_t max_response_header_bytes = 64 * 1024;
  TlsClientOptions tls;
  std::string user_agent = "postern";
};

// Transport failures. Which side of "the request was fully sent" a failure
// lies on matters (docs/providers.md, Failure classes): before it, the provider cannot have
// acted on the request; after it, it may have (a resend may duplicate).
enum class HttpClientErrc {
  ok = 0,
  invalid_request = 1,  // bad URL (scheme, host) or method
  resolve_failed,       // DNS gave no address
  connection_refused,   // nothing listens there
  connect_failed,       // unreachable, reset during connect
  connect_timeout,      // no TCP connection or TLS handshake within connect_timeout
  tls_failed,           // handshake failed: certificate, host name, protocol
  send_failed,          // the connection failed before the request was fully written
  timeout_before_sent,  // the deadline passed before the request was fully written
  timeout_after_sent,   // written, but no complete response before the deadline: ambiguous
  connection_lost,      // written, then closed or reset before a complete response: ambiguous
  malformed_response,   // not HTTP/1.x, or a framing error
  body_too_large,       // response body above max_response_body_bytes
};

const boost::system::error_category& http_client_category() noexcept;
// The enumerator's name ("timeout_after_sent"), for result codes and logs.
std::string_view to_string(HttpClientErrc e);

inline error_code make_error_code(HttpClientErrc e) noexcept {
  return {static_cast<int>(e), http_client_category()};
}

// True when the failure happened after the whole request was written, so
// the server may have acted on it (resending risks a duplicate).
bool request_may_have_been_processed(const error_code& ec);

// "host" or "host:port" (port only when not the scheme's default; IPv6 in
// brackets): the Host header the client sends for that URL.
Result<std::string> host_header_of(std::string_view url);

struct HttpClientStats {
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_reused = 0;
  std::uint64_t stale_retries = 0;  // reused connections found dead, request resent
  std::size_t idle_connections = 0;
};

class HttpClient {
 public:
  // Errors (Problem): the TLS options cannot be used (unreadable CA file).
  static Result<std::unique_ptr<HttpClient>, Problem> create(IoRuntime& io,
                                                             HttpClientOptions options);
  // Closes the idle connections. Requests in flight still complete (their
  // coroutines keep the internals alive); their connections are then closed.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request; thread-safe. `done` is called exactly once, on one of
  // the runtime's I/O threads, with the response (any status: HTTP answers
  // are data) or a transport error (HttpClientErrc). Requires: the runtime
  // is running or will run.
  //
  // A pooled connection that turns out dead (closed, reset) before any byte
  // of the response arrived is retried once on a fresh connection. The
  // request may have reached the server on the dead connection only in a
  // race with the server closing it; if the server processed it anyway,
  // the retry makes delivery at-least-once — as the whole pipeline is.
  void send(HttpClientRequest request, std::function<void(Result<HttpClientResponse>)> done);

  HttpClientStats stats() const;
  // Closes every idle pooled connection now (tests, SIGHUP).
  void close_idle();

  struct Impl;

 private:
  explicit HttpClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::net

namespace boost::system {
template <>
struct is_error_code_enum<postern::net::HttpClientErrc> : std::true_type {};
}  // namespace boost::system
