#include "net/http_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "net/listen_address.h"

namespace postern::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(use_awaitable);

namespace {

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool idle = true;  // waiting for the next request; touched only on the connection's thread
};

// Waits for the handler's answer without blocking the thread: the handler
// gets a Responder whose call resumes this coroutine on its own executor.
template <class Token>
auto async_handle(const HttpHandler& handler, HttpRequest request, Token&& token) {
  return asio::async_initiate<Token, void(HttpResponse)>(
      [&handler](auto completion, HttpRequest req) {
        auto executor = asio::get_associated_executor(completion);
        auto shared = std::make_shared<decltype(completion)>(std::move(completion));
        auto state = std::make_shared<Responder::State>([shared, executor](HttpResponse response) {
          asio::post(executor, [shared, response = std::move(response)]() mutable { (*shared)(std::move(response)); });
        });
        handler(std::move(req), Responder(std::move(state)));
      },
      token, std::move(request));
}

HttpRequest to_request(http::request<http::string_body>&& req, const tcp::endpoint& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  auto q = out.target.find('?');
  out.path = out.target.substr(0, q);
  if (q != std::string::npos) out.query = out.target.substr(q + 1);
  out.headers.reserve(8);
  for (const auto& field : req) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = std::move(req.body());
  out.remote_address = remote.address().to_string();
  out.remote_is_loopback = remote.address().is_loopback();
  return out;
}

http::response<http::string_body> to_beast(HttpResponse&& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "postern");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res.insert(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = json_error_body(code, message);
  r.close = true;
  return r;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(IoRuntime& io, HttpServerOptions options, HttpHandler handler, MetricsRegistry& metrics)
      : io(io),
        options(std::move(options)),
        handler(std::move(handler)),
        connections_gauge(metrics.gauge("postern_http_connections", "Open HTTP connections")),
        refused_connections(metrics.counter("postern_http_connections_refused_total",
                                            "Connections closed at once because the limit was reached")) {}

  IoRuntime& io;
  HttpServerOptions options;
  HttpHandler handler;
  Gauge& connections_gauge;
  Counter& refused_connections;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections;  // guarded by mu

  // Streams being written, so that stop() can end them.
  struct Streams {
    std::mutex mu;
    std::vector<std::shared_ptr<ResponseStream>> open;  // guarded by mu
    void add(const std::shared_ptr<ResponseStream>& s) {
      std::lock_guard lock(mu);
      open.push_back(s);
    }
    void remove(const std::shared_ptr<ResponseStream>& s) {
      std::lock_guard lock(mu);
      std::erase(open, s);
    }
    void cancel_all() {
      std::lock_guard lock(mu);
      for (auto& s : open) s->cancel();
    }
  } streams;

  void add(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(mu);
    connections.emplace(c.get(), c);
    connections_gauge.set(static_cast<double>(connections.size()));
  }
  void remove(Connection* c) {
    {
      std::lock_guard lock(mu);
      connections.erase(c);
      connections_gauge.set(static_cast<double>(connections.size()));
    }
    cv.notify_all();
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return connections.size();
  }

  // Runs `f(connection)` on each connection's own thread.
  template <class F>
  void for_each_connection(F f) {
    std::lock_guard lock(mu);
    for (auto& [_, c] : connections) {
      asio::post(c->stream.get_executor(), [c, f] { f(*c); });
    }
  }

  awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto& context = io.next();
      auto [ec, socket] = co_await acceptor->async_accept(context, kTuple);
      if (stopping) co_return;
      if (ec) {
        // Out of file descriptors and the like: back off instead of spinning.
        spdlog::warn("http: accept failed: {}", ec.message());
        asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(kTuple);
        continue;
      }
      if (count() >= options.max_connections) {
        refused_connections.inc();
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<Connection>(std::move(socket));
      add(connection);
      asio::co_spawn(context, serve(connection), [self, raw = connection.get()](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::error("http: connection ended by an exception: {}", ex.what());
          }
        }
        self->remove(raw);
      });
    }
  }

  awaitable<void> write(Connection& c, HttpResponse&& response, unsigned version, bool keep_alive) {
    if (response.stream) {
      co_await write_stream(c, std::move(response.stream), response.status, std::move(response.content_type),
                            std::move(response.headers), version);
      co_return;
    }
    auto res = to_beast(std::move(response), version, keep_alive);
    c.stream.expires_after(options.request_timeout);
    co_await http::async_write(c.stream, res, kTuple);
  }

  // The stream's next chunk, awaited without blocking the thread. A plain
  // function, not a coroutine: GCC 12 destroys the captures of a lambda
  // written inside a co_await expression twice.
  static auto next_chunk(std::shared_ptr<ResponseStream> source) {
    return asio::async_initiate<decltype(use_awaitable), void(std::optional<std::string>)>(
        [source](auto handler) {
          auto executor = asio::get_associated_executor(handler);
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          source->next([shared, executor](std::optional<std::string> next) {
            asio::post(executor, [shared, next = std::move(next)]() mutable { (*shared)(std::move(next)); });
          });
        },
        use_awaitable);
  }

  // Pulls the stream's chunks one by one and writes each as an HTTP/1.1
  // chunk, until the stream ends, the client goes away or the server stops.
  awaitable<void> write_stream(Connection& c, std::shared_ptr<ResponseStream> source, int status,
                               std::string content_type, HttpHeaders headers, unsigned version) {
    http::response<http::empty_body> head{static_cast<http::status>(status), version};
    head.set(http::field::server, "postern");
    head.set(http::field::content_type, content_type);
    head.set(http::field::cache_control, "no-cache");
    for (auto& h : headers) head.insert(h.first, h.second);
    head.chunked(true);
    head.keep_alive(false);
    http::response_serializer<http::empty_body> serializer{head};
    c.stream.expires_after(options.request_timeout);
    std::tuple<boost::system::error_code, std::size_t> written =
        co_await http::async_write_header(c.stream, serializer, kTuple);
    bool open = !std::get<0>(written);
    streams.add(source);
    while (open && !stopping) {
      c.stream.expires_never();
      std::optional<std::string> chunk = co_await next_chunk(source);
      c.stream.expires_after(options.request_timeout);
      if (!chunk) {
        co_await asio::async_write(c.stream, http::make_chunk_last(), kTuple);
        break;
      }
      written = co_await asio::async_write(c.stream, http::make_chunk(asio::buffer(*chunk)), kTuple);
      open = !std::get<0>(written);
    }
    source->cancel();
    streams.remove(source);
  }

  awaitable<void> serve(std::shared_ptr<Connection> c) {
    boost::system::error_code ec;
    auto remote = c->stream.socket().remote_endpoint(ec);
    beast::flat_buffer buffer;
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      c->idle = buffer.size() == 0;
      c->stream.expires_after(options.idle_timeout);
      auto [hec, hn] = co_await http::async_read_header(c->stream, buffer, parser, kTuple);
      c->idle = false;
      if (hec) {
        if (hec == http::error::header_limit) {
          co_await write(*c, error_response(431, "header_too_large", "the request header is too large"), 11, false);
        } else if (hec == http::error::body_limit) {
          co_await write(*c, error_response(413, "payload_too_large", "the request body exceeds the limit"), 11,
                         false);
        } else if (hec != http::error::end_of_stream && hec != beast::error::timeout &&
                   hec != asio::error::operation_aborted && hec != asio::error::connection_reset &&
                   hec != asio::error::eof) {
          co_await write(*c, error_response(400, "bad_request", "malformed HTTP request: " + hec.message()), 11,
                         false);
        }
        break;
      }
      auto version = parser.get().version();
      if (parser.get()[http::field::expect] == "100-continue") {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        c->stream.expires_after(options.request_timeout);
        co_await asio::async_write(c->stream, asio::buffer(kContinue.data(), kContinue.size()), kTuple);
      }
      c->stream.expires_after(options.request_timeout);
      auto [bec, bn] = co_await http::async_read(c->stream, buffer, parser, kTuple);
      if (bec) {
        if (bec == http::error::body_limit) {
          co_await write(*c, error_response(413, "payload_too_large", "the request body exceeds the limit"), version,
                         false);
        } else if (bec != beast::error::timeout && bec != asio::error::operation_aborted) {
          co_await write(*c, error_response(400, "bad_request", "malformed HTTP request: " + bec.message()),
                         version, false);
        }
        break;
      }
      auto beast_request = parser.release();
      bool keep_alive = beast_request.keep_alive();
      auto response = co_await async_handle(handler, to_request(std::move(beast_request), remote), use_awaitable);
      keep_alive = keep_alive && !response.close && !stopping;
      co_await write(*c, std::move(response), version, keep_alive);
      if (!keep_alive) break;
    }
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c->stream.close();
  }
};

HttpServer::HttpServer(IoRuntime& io, HttpServerOptions options, HttpHandler handler, MetricsRegistry& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler), metrics)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

Result<std::uint16_t> HttpServer::start() {
  auto endpoint = parse_listen_address(impl_->options.listen);
  if (!endpoint) return endpoint.error();
  auto& context = impl_->io.context(0);
  auto acceptor = std::make_unique<tcp::acceptor>(context);
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(endpoint->host, ec), endpoint->port);
  if (ec) return ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  auto port = acceptor->local_endpoint().port();
  impl_->acceptor = std::move(acceptor);
  asio::co_spawn(context, impl_->accept_loop(), asio::detached);
  return port;
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (impl_->stopping.exchange(true)) return;
  if (impl_->acceptor) {
    std::promise<void> closed;
    asio::post(impl_->acceptor->get_executor(), [&] {
      boost::system::error_code ignored;
      impl_->acceptor->close(ignored);
      closed.set_value();
    });
    // The runtime may already be stopped (tests, errors at start); then
    // nothing runs handlers and the acceptor is closed by its destructor.
    closed.get_future().wait_for(std::chrono::seconds(2));
  }
  // Idle keep-alive connections end now; busy ones after their response;
  // open streams end at once.
  impl_->streams.cancel_all();
  impl_->for_each_connection([](Connection& c) {
    if (c.idle) c.stream.socket().cancel();
  });
  std::unique_lock lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, grace, [&] { return impl_->connections.empty(); })) {
    lock.unlock();
    spdlog::warn("http: {} connections still busy after the grace period; closing them", impl_->count());
    impl_->for_each_connection([](Connection& c) { c.stream.socket().cancel(); });
    lock.lock();
    impl_->cv.wait_for(lock, std::chrono::seconds(5), [&] { return impl_->connections.empty(); });
  }
}

std::size_t HttpServer::connection_count() const { return impl_->count(); }

}  // namespace postern::net
