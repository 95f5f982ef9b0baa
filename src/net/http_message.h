// HTTP requests and responses as the rest of Postern sees them: plain
// structs without Beast, so handlers compile fast and test without sockets.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::net {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // upper case, e.g. "POST"
  std::string target;  // as sent: path and query
  std::string path;    // target up to '?', not percent-decoded
  std::string query;   // after '?', not decoded
  HttpHeaders headers;
  std::string body;
  std::string remote_address;
  bool remote_is_loopback = false;  // a process on this machine (never when proxied)
  // remote_address was named by a PROXY header (net/proxy_accept.h).
  bool remote_proxied = false;
  // Over HTTPS with http.tls_client_ca: the subject CN of the client
  // certificate that CA verified; "" otherwise.
  std::string client_certificate;

  // The first header of that name (case-insensitive), or "".
  std::string_view header(std::string_view name) const;
};

// A response body produced over time (server-sent events, long exports).
// The server asks for the next chunk once the previous one is written.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Calls `done` once, from any thread, with the next chunk, or with nullopt
  // when the stream has ended.
  virtual void next(std::function<void(std::optional<std::string>)> done) = 0;
  // The client went away or the server is stopping: end the stream; a
  // pending next() must then answer nullopt promptly. Thread-safe.
  virtual void cancel() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  HttpHeaders headers;
  std::string body;
  bool close = false;  // close the connection after this response
  // The connection reads no further request for this long after the
  // response: a client refused for its rate waits on this connection, so
  // a flood of refused requests costs the server a timer per connection
  // instead of an answer per request (http/responses.h too_many_requests).
  std::chrono::milliseconds hold_connection{0};
  // When set, `body` is ignored: the header goes out at once and the stream's
  // chunks follow (chunked transfer encoding); the connection closes after.
  std::shared_ptr<ResponseStream> stream;
};

// Hands a handler's response back to the connection that asked. Copyable;
// the first call wins, later calls are ignored. If every copy is dropped
// without an answer, the client gets a 500 rather than a hung connection.
class Responder {
 public:
  struct State;
  explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void operator()(HttpResponse response) const;

 private:
  std::shared_ptr<State> state_;
};

struct Responder::State {
  explicit State(std::function<void(HttpResponse)> deliver) : deliver_(std::move(deliver)) {}
  ~State();
  void deliver(HttpResponse response);

 private:
  std::function<void(HttpResponse)> deliver_;  // empty once used
  bool delivered_ = false;
};

// The application's request handler; called on the connection's I/O thread.
// It must not block for long: slow work (store commits) answers later
// through the Responder.
using HttpHandler = std::function<void(HttpRequest&& request, Responder respond)>;

// {"error":{"code":...,"message":...,"field":...}} — the shape of every
// error Postern answers, built here because the server itself answers some
// (413, 400) before a handler sees the request.
std::string json_error_body(std::string_view code, std::string_view message,
                            std::string_view field = "");

}  // namespace postern::net
