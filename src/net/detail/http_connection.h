// Internal to src/net: one outbound HTTP/1.1 connection (plain or TLS) and
// the two coroutines the pooled client is made of: connect, and one
// request/response exchange. Only http_client*.cpp include this (Beast).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "net/http_client.h"
#include "net/tls_context.h"

namespace postern::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

using Deadline = std::chrono::steady_clock::time_point;
using BeastRequest = http::request<http::string_body>;

// A parsed request URL.
struct HttpTarget {
  bool tls = false;
  std::string host;         // name or IP address, without IPv6 brackets
  std::string port;         // always set ("443" when implicit)
  std::string target;       // origin-form: path and query
  std::string host_header;  // see host_header_of()
  std::string pool_key;     // "https://host:port"
};

// Errors: HttpClientErrc::invalid_request (not http/https, no host, bad port).
Result<HttpTarget> parse_http_url(std::string_view url);

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct HttpConnection {
  explicit HttpConnection(PlainStream plain)
      : stream(std::in_place_type<PlainStream>, std::move(plain)) {}
  explicit HttpConnection(TlsStream tls) : stream(std::in_place_type<TlsStream>, std::move(tls)) {}

  beast::tcp_stream& tcp();
  asio::any_io_executor executor() { return tcp().get_executor(); }

  std::variant<PlainStream, TlsStream> stream;
  beast::flat_buffer buffer;  // bytes read past a response; must stay empty to be reused
};

// Resolves, connects and (for https) completes the TLS handshake on the
// calling coroutine's executor, all before min(connect_deadline, deadline).
// Errors: resolve_failed, connection_refused, connect_failed,
// connect_timeout, tls_failed.
asio::awaitable<Result<std::unique_ptr<HttpConnection>>> connect_http(const HttpTarget& target,
                                                                      ClientTlsContext* tls,
                                                                      Deadline connect_deadline);

struct ExchangeLimits {
  std::size_t max_body_bytes;
  std::size_t max_header_bytes;
};

struct ExchangeOutcome {
  Result<HttpClientResponse> response{HttpClientErrc::connection_lost};
  bool keep_alive = false;          // the connection may carry another request
  bool got_response_bytes = false;  // false: the peer sent nothing back at all
};

// Writes the request and reads the complete response before `deadline`.
asio::awaitable<ExchangeOutcome> exchange(HttpConnection& connection, const BeastRequest& request,
                                          Deadline deadline, ExchangeLimits limits);

}  // namespace postern::net::detail
