#include "net/detail/http_connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

namespace postern::net::detail {

namespace {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

error_code fail(HttpClientErrc e) { return make_error_code(e); }

asio::awaitable<Result<tcp::resolver::results_type>> resolve(const HttpTarget& target,
                                                             Deadline deadline) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor, deadline);
  // getaddrinfo cannot be interrupted; racing a timer at least frees the
  // request when the resolver hangs.
  auto outcome = co_await (resolver.async_resolve(target.host, target.port, kTuple) ||
                           timer.async_wait(kTuple));
  if (outcome.index() == 1) co_return fail(HttpClientErrc::connect_timeout);
  auto [ec, results] = std::get<0>(std::move(outcome));
  if (ec || results.empty()) {
    spdlog::warn("http client: cannot resolve {}: {}", target.host, ec.message());
    co_return fail(HttpClientErrc::resolve_failed);
  }
  co_return results;
}

HttpClientErrc classify_read_error(const error_code& ec) {
  if (ec == beast::error::timeout) return HttpClientErrc::timeout_after_sent;
  if (ec == http::error::body_limit) return HttpClientErrc::body_too_large;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message)
    return HttpClientErrc::connection_lost;
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return HttpClientErrc::malformed_response;
  }
  return HttpClientErrc::connection_lost;
}

}  // namespace

beast::tcp_stream& HttpConnection::tcp() {
  if (auto* plain = std::get_if<PlainStream>(&stream)) return *plain;
  return std::get<TlsStream>(stream).next_layer();
}

Result<HttpTarget> parse_http_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return fail(HttpClientErrc::invalid_request);
  const auto& u = *parsed;
  HttpTarget t;
  if (u.scheme() == "https") {
    t.tls = true;
  } else if (u.scheme() != "http") {
    return fail(HttpClientErrc::invalid_request);
  }
  t.host = u.host_address();
  if (t.host.empty()) return fail(HttpClientErrc::invalid_request);
  std::string default_port = t.tls ? "443" : "80";
  t.port = default_port;
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) return fail(HttpClientErrc::invalid_request);
    t.port = std::string(u.port());
  }
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.target += "?" + std::string(u.encoded_query());
  bool ipv6 = u.host_type() == boost::urls::host_type::ipv6;
  t.host_header = ipv6 ? "[" + t.host + "]" : t.host;
  if (t.port != default_port) t.host_header += ":" + t.port;
  t.pool_key =
      std::string(u.scheme()) + "://" + (ipv6 ? "[" + t.host + "]" : t.host) + ":" + t.port;
  return t;
}

asio::awaitable<Result<std::unique_ptr<HttpConnection>>> connect_http(const HttpTarget& target,
                                                                      ClientTlsContext* tls,
                                                                      Deadline connect_deadline) {
  auto executor = co_await asio::this_coro::executor;
  auto resolved = co_await resolve(target, connect_deadline);
  if (!resolved) co_return resolved.error();

  PlainStream plain(executor);
  plain.expires_at(connect_deadline);
  auto [ec, endpoint] = co_await plain.async_connect(*resolved, kTuple);
  if (ec) {
    if (ec == beast::error::timeout) co_return fail(HttpClientErrc::connect_timeout);
    if (ec == asio::error::connection_refused) co_return fail(HttpClientErrc::connection_refused);
    spdlog::warn("http client: cannot connect to {}:{}: {}", target.host, target.port,
                 ec.message());
    co_return fail(HttpClientErrc::connect_failed);
  }
  plain.socket().set_option(tcp::no_delay(true), ec);
  if (!target.tls) co_return std::make_unique<HttpConnection>(std::move(plain));

  if (tls == nullptr) co_return fail(HttpClientErrc::tls_failed);
  TlsStream secure(std::move(plain), tls->native());
  if (auto prepared = tls->prepare(secure.native_handle(), target.host); !prepared) {
    spdlog::warn("http client: TLS setup for {} failed: {}", target.host, prepared.error().message);
    co_return fail(HttpClientErrc::tls_failed);
  }
  auto [hec] = co_await secure.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (hec) {
    if (hec == beast::error::timeout) co_return fail(HttpClientErrc::connect_timeout);
    std::string why = tls_verify_failure(secure.native_handle());
    spdlog::warn("http client: TLS handshake with {}:{} failed: {}", target.host, target.port,
                 why.empty() ? hec.message() : why);
    co_return fail(HttpClientErrc::tls_failed);
  }
  co_return std::make_unique<HttpConnection>(std::move(secure));
}

asio::awaitable<ExchangeOutcome> exchange(HttpConnection& connection, const BeastRequest& request,
                                          Deadline deadline, ExchangeLimits limits) {
  ExchangeOutcome out;
  connection.tcp().expires_at(deadline);
  auto [wec, written] = co_await std::visit(
      [&](auto& stream) { return http::async_write(stream, request, kTuple); }, connection.stream);
  if (wec) {
    out.response = fail(wec == beast::error::timeout ? HttpClientErrc::timeout_before_sent
                                                     : HttpClientErrc::send_failed);
    co_return out;
  }

  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  if (request.method() == http::verb::head) parser.skip(true);
  auto [rec, read] = co_await std::visit(
      [&](auto& stream) { return http::async_read(stream, connection.buffer, parser, kTuple); },
      connection.stream);
  out.got_response_bytes = parser.got_some() || connection.buffer.size() > 0;
  if (rec) {
    out.response = fail(classify_read_error(rec));
    co_return out;
  }
  connection.tcp().expires_never();

  auto& message = parser.get();
  HttpClientResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  // Bytes past the response would be read as the next one's start.
  out.keep_alive = message.keep_alive() && !parser.need_eof() && connection.buffer.size() == 0;
  out.response = std::move(response);
  co_return out;
}

}  // namespace postern::net::detail
