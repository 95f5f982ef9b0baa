#include "support/recording_http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <mutex>
#include <stdexcept>

#include "support/loopback_acceptor.h"

namespace postern::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string format(const CannedResponse& r) {
  std::string out =
      "HTTP/1.1 " + std::to_string(r.status) + (r.status < 400 ? " OK" : " Error") + "\r\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
  if (r.chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  } else {
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  if (r.close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!r.chunked) return out + r.body;
  // Several chunks, with a chunk extension on the first (RFC 9112 §7.1.1).
  std::size_t step = std::max<std::size_t>(1, r.body.size() / 3 + 1);
  for (std::size_t i = 0; i < r.body.size(); i += step) {
    auto chunk = r.body.substr(i, step);
    char size[32];
    std::snprintf(size, sizeof size, "%zx", chunk.size());
    out += std::string(size) + (i == 0 ? ";ext=1" : "") + "\r\n" + chunk + "\r\n";
  }
  return out + "0\r\n\r\n";
}

}  // namespace

std::string RecordedRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (beast::iequals(n, name)) return v;
  }
  return "";
}

// Coroutine frames live in `peer`'s io_context and refer to the Impl by
// `this`: the server's destructor stops them first, and the frames left are
// destroyed with `peer`, touching only their own locals.
struct RecordingHttpServer::Impl {
  explicit Impl(RecordingHttpServerOptions o)
      : options(std::move(o)), peer(options.cert_pem, options.key_pem) {}

  RecordingHttpServerOptions options;
  LoopbackAcceptor peer;
  std::vector<tcp::socket> silent;  // io thread only
  mutable std::mutex mu;
  Handler handler;                        // guarded by mu
  std::vector<RecordedRequest> recorded;  // guarded by mu

  CannedResponse answer(RecordedRequest request) {
    std::lock_guard lock(mu);
    recorded.push_back(request);
    return handler ? handler(recorded.back()) : CannedResponse{};
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, beast::tcp_stream& tcp, std::size_t index) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(512 * 1024 * 1024);
      parser.header_limit(1024 * 1024);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
      if (ec) co_return;
      auto& message = parser.get();
      RecordedRequest r;
      r.method = std::string(message.method_string());
      r.target = std::string(message.target());
      auto q = r.target.find('?');
      r.path = r.target.substr(0, q);
      r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
      for (const auto& field : message)
        r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      r.body = std::move(message.body());
      r.connection = index;
      CannedResponse response = answer(std::move(r));
      if (response.hang) {
        asio::steady_timer forever(co_await asio::this_coro::executor,
                                   std::chrono::steady_clock::time_point::max());
        co_await forever.async_wait(kTuple);
        co_return;
      }
      std::string bytes = response.raw.empty() ? format(response) : response.raw;
      auto [wec, written] = co_await asio::async_write(stream, asio::buffer(bytes), kTuple);
      if (wec || response.close || response.drop_after || !response.raw.empty()) {
        boost::system::error_code ignored;
        tcp.socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp.close();
        co_return;
      }
    }
  }

  asio::awaitable<void> session(tcp::socket socket, std::size_t index) {
    beast::tcp_stream tcp(std::move(socket));
    if (!peer.tls()) {
      co_await serve(tcp, tcp, index);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), *peer.tls());
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) co_return;
    co_await serve(stream, stream.next_layer(), index);
  }

  void accept(tcp::socket socket, std::size_t index) {
    if (!options.read_requests) {
      silent.push_back(std::move(socket));
      return;
    }
    asio::co_spawn(peer.io(), session(std::move(socket), index), asio::detached);
  }
};

RecordingHttpServer::RecordingHttpServer(Handler handler, RecordingHttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->handler = std::move(handler);
  impl_->peer.start([impl = impl_.get()](tcp::socket socket, std::size_t index) {
    impl->accept(std::move(socket), index);
  });
}

// The sessions refer to the Impl: stop them before it goes.
RecordingHttpServer::~RecordingHttpServer() { impl_->peer.stop(); }

std::uint16_t RecordingHttpServer::port() const { return impl_->peer.port(); }

std::string RecordingHttpServer::url(std::string_view path) const {
  return std::string(impl_->peer.tls() ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

void RecordingHttpServer::set_handler(Handler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handler = std::move(handler);
}

std::vector<RecordedRequest> RecordingHttpServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded;
}

RecordedRequest RecordingHttpServer::last_request() const {
  std::lock_guard lock(impl_->mu);
  if (impl_->recorded.empty()) throw std::runtime_error("no request recorded");
  return impl_->recorded.back();
}

std::size_t RecordingHttpServer::connections() const { return impl_->peer.accepted(); }

}  // namespace postern::test
