// A small HTTP/1.1 server for client and provider tests: records every
// request, answers with canned responses (chunked, closing, silent, raw
// bytes), optionally over TLS. Runs on its own thread; 127.0.0.1, port 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::test {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t connection = 0;  // 1-based index of the connection it came on
  // The first header of that name (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

struct CannedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;     // Transfer-Encoding: chunked, in several chunks
  bool close = false;       // "Connection: close", then close
  bool drop_after = false;  // close silently after answering (a keep-alive the server forgets)
  bool hang = false;        // never answer; the connection stays open
  std::string raw;          // when set, sent instead of a formatted response
};

struct RecordingHttpServerOptions {
  // Both set: HTTPS with this certificate chain and key.
  std::string cert_pem;
  std::string key_pem;
  // False: accept connections and never read from them (a peer whose
  // buffers fill up, so that a large request cannot be written).
  bool read_requests = true;
};

class RecordingHttpServer {
 public:
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;

  // Without a handler every request gets 200 with an empty body.
  explicit RecordingHttpServer(Handler handler = {}, RecordingHttpServerOptions options = {});
  ~RecordingHttpServer();
  RecordingHttpServer(const RecordingHttpServer&) = delete;
  RecordingHttpServer& operator=(const RecordingHttpServer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>" + path (https with TLS options).
  std::string url(std::string_view path = "") const;
  void set_handler(Handler handler);

  std::vector<RecordedRequest> requests() const;
  RecordedRequest last_request() const;  // Requires: at least one request
  std::size_t connections() const;       // accepted so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::test
