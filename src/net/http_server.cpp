#include "net/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <unordered_map>

#include "net/async_callback.h"
#include "net/detail/http_wire.h"
#include "net/detail/request_reader.h"
#include "net/listen_address.h"
#include "net/proxy_accept.h"
#include "net/server_certificate.h"

namespace postern::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using Steady = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;

namespace {

// One client connection, plain or over TLS: the same serving code reads
// and writes through read_some() and write(). Its deadline is a plain
// field: each read or write moves it, and one watchdog timer per
// connection enforces it lazily, so the hot path arms no timer per
// operation.
struct Connection {
  // `tls`: the context of this connection's handshake, or null for plain
  // HTTP. Held for the connection's life: a reload does not touch it.
  Connection(tcp::socket s, std::shared_ptr<asio::ssl::context> tls)
      : socket(std::move(s)),
        tls_context(std::move(tls)),
        watchdog(socket.get_executor()),
        hold(socket.get_executor()) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    remote_address = remote.address().to_string();
    remote_is_loopback = remote.address().is_loopback();
    hold_share = 512 + remote.port() % 512;
    if (tls_context) secure.emplace(socket, *tls_context);
  }
  tcp::socket socket;
  std::shared_ptr<asio::ssl::context> tls_context;
  std::optional<asio::ssl::stream<tcp::socket&>> secure;  // set when TLS
  std::string remote_address;                             // formatted once, not per request
  bool remote_is_loopback = false;
  bool remote_proxied = false;     // remote_address is the one a PROXY header named
  std::string client_certificate;  // verified client certificate's CN (TLS)
  asio::steady_timer watchdog;
  asio::steady_timer hold;  // a response's hold_connection
  // The part of a hold this connection waits, in 1024ths: from half to all
  // of it, fixed by the client's port, so that connections refused
  // together (a flood) come back spread over the hold, not all at once.
  int hold_share = 1024;
  Steady::time_point deadline = Steady::time_point::max();
  Steady::time_point armed = Steady::time_point::max();  // when the watchdog wakes next
  bool idle = true;       // waiting for a new request (touched on the connection's thread only)
  bool finished = false;  // the serving coroutine is done
  bool expired = false;   // the watchdog closed it: a deadline passed
  // Moving the deadline later costs nothing; moving it earlier than the
  // watchdog's wake-up re-arms the watchdog.
  void set_deadline(Steady::time_point t) {
    deadline = t;
    if (t < armed) watchdog.cancel();
  }
  void expire_in(std::chrono::seconds d) { set_deadline(Steady::now() + d); }

  awaitable<std::tuple<boost::system::error_code, std::size_t>> read_some(
      asio::mutable_buffer buffer) {
    if (secure) co_return co_await secure->async_read_some(buffer, kTuple);
    co_return co_await socket.async_read_some(buffer, kTuple);
  }
  template <class Buffers>
  awaitable<std::tuple<boost::system::error_code, std::size_t>> write(const Buffers& buffers) {
    if (secure) co_return co_await asio::async_write(*secure, buffers, kTuple);
    co_return co_await asio::async_write(socket, buffers, kTuple);
  }
};

// Waits for the handler's answer without blocking the thread: the handler
// gets a Responder whose call resumes this coroutine on its own executor. A
// plain function, not a coroutine: GCC 12 destroys the captures of a lambda
// written inside a co_await twice.
auto async_handle(const HttpHandler& handler, HttpRequest request) {
  return async_callback<HttpResponse>(
      [&handler, request = std::move(request)](auto respond) mutable {
        handler(std::move(request), Responder(std::make_shared<Responder::State>(respond)));
      });
}

// The stream's next chunk. A plain function, for the same reason.
auto next_chunk(std::shared_ptr<ResponseStream> source) {
  return async_callback<std::optional<std::string>>(
      [source = std::move(source)](auto done) { source->next(std::move(done)); });
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(IoRuntime& io, HttpServerOptions options, HttpHandler handler, MetricsRegistry& metrics)
      : io(io),
        options(std::move(options)),
        handler(std::move(handler)),
        metrics(metrics),
        connections_gauge(metrics.gauge("postern_http_connections", "Open HTTP connections")),
        refused_connections(
            metrics.counter("postern_http_connections_refused_total",
                            "Connections closed at once because the limit was reached")),
        handshake_timeouts(metrics.counter("postern_http_tls_handshake_failures_total",
                                           "HTTPS connections closed before their TLS handshake "
                                           "ended",
                                           {{"reason", "timeout"}})),
        handshake_errors(metrics.counter("postern_http_tls_handshake_failures_total",
                                         "HTTPS connections closed before their TLS handshake "
                                         "ended",
                                         {{"reason", "error"}})) {}

  IoRuntime& io;
  HttpServerOptions options;
  HttpHandler handler;
  MetricsRegistry& metrics;
  std::shared_ptr<const ProxyReceiver> proxy;  // with options.proxy
  Gauge& connections_gauge;
  Counter& refused_connections;
  Counter& handshake_timeouts;
  Counter& handshake_errors;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<tcp::acceptor> tls_acceptor;  // with options.tls_listen
  std::shared_ptr<ServerCertificate> certificate;
  std::uint16_t tls_port = 0;  // once bound
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
      asio::post(c->socket.get_executor(), [c, f] { f(*c); });
    }
  }

  // Accepts on `listener`; connections are TLS ones when `certificate`
  // is given.
  awaitable<void> accept_loop(tcp::acceptor& listener,
                              std::shared_ptr<ServerCertificate> tls_certificate) {
    auto self = shared_from_this();
    for (;;) {
      auto& context = io.next();
      auto [ec, socket] = co_await listener.async_accept(context, kTuple);
      if (stopping) co_return;
      if (ec) {
        // Out of file descriptors and the like: back off instead of spinning.
        spdlog::warn("http: accept failed: {}", ec.message());
        asio::steady_timer pause(listener.get_executor(), std::chrono::milliseconds(50));
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
      auto connection = std::make_shared<Connection>(
          std::move(socket), tls_certificate ? tls_certificate->current() : nullptr);
      add(connection);
      asio::co_spawn(context, watch(connection), asio::detached);
      asio::co_spawn(context, serve(connection),
                     [self, raw = connection.get()](std::exception_ptr e) {
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

  // Closes the connection once its deadline passes; a deadline moved later
  // meanwhile just re-arms the timer.
  static awaitable<void> watch(std::shared_ptr<Connection> c) {
    while (!c->finished) {
      c->armed = c->deadline;
      c->watchdog.expires_at(c->armed);
      co_await c->watchdog.async_wait(kTuple);
      if (c->finished) break;
      if (Steady::now() >= c->deadline) {
        boost::system::error_code ignored;
        c->expired = true;
        c->socket.cancel(ignored);
        c->deadline = Steady::time_point::max();  // one cancel per expiry
      }
    }
  }

  awaitable<boost::system::error_code> write_all(Connection& c, std::string head,
                                                 const std::string& body) {
    c.expire_in(options.request_timeout);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
    auto [ec, n] = co_await c.write(buffers);
    co_return ec;
  }

  // An answer to HEAD is GET's header, Content-Length included, and no
  // content (RFC 9110 §9.3.2): handlers answer it as GET, and only the
  // content is left out here.
  awaitable<void> write(Connection& c, HttpResponse&& response, unsigned version, bool keep_alive,
                        bool head_only = false) {
    if (response.stream) {
      co_await write_stream(c, std::move(response.stream), response, version, head_only);
      co_return;
    }
    static const std::string kNothing;
    co_await write_all(c, detail::response_head(response, version, keep_alive),
                       head_only ? kNothing : response.body);
  }

  // Pulls the stream's chunks one by one and writes each as an HTTP/1.1
  // chunk, until the stream ends, the client goes away or the server stops.
  awaitable<void> write_stream(Connection& c, std::shared_ptr<ResponseStream> source,
                               HttpResponse& head, unsigned version, bool head_only) {
    head.headers.emplace_back("Cache-Control", "no-cache");
    head.headers.emplace_back("Transfer-Encoding", "chunked");
    auto head_bytes = detail::response_head(head, version, false);
    // A chunked response has no Content-Length: drop the one response_head wrote.
    auto cl = head_bytes.rfind("Content-Length: ");
    head_bytes.erase(cl, head_bytes.find("\r\n", cl) + 2 - cl);
    static const std::string kNothing;
    bool open = !co_await write_all(c, std::move(head_bytes), kNothing);
    if (head_only) {
      source->cancel();
      co_return;
    }
    streams.add(source);
    while (open && !stopping) {
      c.set_deadline(Steady::time_point::max());
      std::optional<std::string> chunk = co_await next_chunk(source);
      if (!chunk) {
        co_await write_all(c, "0\r\n\r\n", kNothing);
        break;
      }
      char size[24];
      auto n = std::snprintf(size, sizeof size, "%zx\r\n", chunk->size());
      chunk->append("\r\n");
      open = !co_await write_all(c, std::string(size, static_cast<std::size_t>(n)), *chunk);
    }
    source->cancel();
    streams.remove(source);
  }

  // Reads one request into `reader`. Returns false when the connection must
  // close; an error worth answering is then left in reader.refusal().
  awaitable<bool> read_request(Connection& c, beast::flat_buffer& buffer,
                               detail::RequestReader& reader) {
    bool continue_sent = false;
    c.idle = buffer.size() == 0;
    c.expire_in(c.idle ? options.idle_timeout : options.request_timeout);
    for (;;) {
      if (buffer.size() > 0) {
        auto data = buffer.data();
        auto used = reader.feed({static_cast<const char*>(data.data()), data.size()});
        buffer.consume(used);
        if (reader.refusal()) co_return false;
        if (reader.done()) co_return true;
        if (!continue_sent && reader.expects_continue()) {
          continue_sent = true;
          static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          static const std::string kNothing;
          if (co_await write_all(c, kContinue, kNothing)) co_return false;
        }
        if (used > 0 && buffer.size() > 0) continue;  // more to parse in what we have
      }
      auto [ec, n] = co_await c.read_some(buffer.prepare(kReadChunk));
      buffer.commit(n);
      if (ec) {
        // A peer that leaves between requests is normal; one that leaves
        // mid-request, or a timeout, gets no answer either.
        co_return false;
      }
      if (c.idle) {
        c.idle = false;
        c.expire_in(options.request_timeout);
      }
    }
  }

  // The server side of the TLS handshake, within tls_handshake_timeout so
  // that a client that connects and sends nothing does not hold a slot.
  // Failures are logged as SMTP logs its own ("TLS handshake failed").
  awaitable<bool> handshake(Connection& c) {
    c.expire_in(options.tls_handshake_timeout);
    auto [ec] = co_await c.secure->async_handshake(asio::ssl::stream_base::server, kTuple);
    if (ec) {
      bool timed_out = c.expired;
      (timed_out ? handshake_timeouts : handshake_errors).inc();
      spdlog::info("https {}: TLS handshake failed: {}", c.remote_address,
                   timed_out ? "timed out" : ec.message());
      co_return false;
    }
    c.client_certificate = verified_client_name(c.secure->native_handle());
    co_return true;
  }

  // On a PROXY protocol listener: the header, whose client becomes the
  // connection's remote address. False: the connection was refused.
  awaitable<bool> receive_proxy_header(Connection& c) {
    auto peer = co_await proxy->receive(c.socket);
    if (!peer) co_return false;
    c.remote_address = peer->address;
    c.remote_is_loopback = peer->local();
    c.remote_proxied = peer->proxied;
    co_return true;
  }

  // Waits before reading the next request (part of `d`: hold_share). Idle
  // meanwhile, so that stop() ends the wait as it ends an idle
  // connection's read.
  static awaitable<void> hold(Connection& c, std::chrono::milliseconds d) {
    c.idle = true;
    c.set_deadline(Steady::time_point::max());
    c.hold.expires_after(d * c.hold_share / 1024);
    co_await c.hold.async_wait(kTuple);
  }

  awaitable<void> serve(std::shared_ptr<Connection> c) {
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    bool open = !proxy || co_await receive_proxy_header(*c);
    open = open && (!c->secure || co_await handshake(*c));
    while (open && !stopping) {
      detail::RequestReader reader({options.max_header_bytes, options.max_body_bytes,
                                    options.max_header_field_bytes, options.max_header_fields,
                                    options.budget});
      if (!co_await read_request(*c, buffer, reader)) {
        if (reader.refusal()) co_await write(*c, std::move(*reader.refusal()), 11, false);
        break;
      }
      c->idle = false;
      auto version = reader.version();
      bool keep_alive = reader.keep_alive();
      auto request = reader.take(c->remote_address, c->remote_is_loopback);
      request.client_certificate = c->client_certificate;
      bool head_only = request.method == "HEAD";
      request.remote_proxied = c->remote_proxied;
      auto response = co_await async_handle(handler, std::move(request));
      // A stream's header says the connection closes: so it does after HEAD.
      keep_alive = keep_alive && !response.close && !stopping && !(head_only && response.stream);
      const auto hold_for = response.hold_connection;
      co_await write(*c, std::move(response), version, keep_alive, head_only);
      if (!keep_alive) break;
      if (hold_for.count() > 0) co_await hold(*c, hold_for);
    }
    c->finished = true;
    c->watchdog.cancel();  // ends watch()
    // Over TLS no close_notify is sent: every response is delimited
    // (Content-Length or chunked), so a client loses nothing (RFC 9112
    // §9.8), and waiting for the client's own close_notify could hold
    // the slot.
    c->socket.shutdown(tcp::socket::shutdown_send, ec);
    c->socket.close(ec);
  }
};

HttpServer::HttpServer(IoRuntime& io, HttpServerOptions options, HttpHandler handler,
                       MetricsRegistry& metrics)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler), metrics)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

namespace {

// A listening acceptor on `listen` (host:port), on `context`.
Result<std::unique_ptr<tcp::acceptor>> bind_acceptor(asio::io_context& context,
                                                     const std::string& listen) {
  auto endpoint = parse_listen_address(listen);
  if (!endpoint) return endpoint.error();
  auto acceptor = std::make_unique<tcp::acceptor>(context);
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address(endpoint->host, ec), endpoint->port);
  if (ec) return ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(ep, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  return acceptor;
}

// Closes `acceptor` on its own thread and waits (a short bound) for it.
void close_acceptor(tcp::acceptor& acceptor) {
  std::promise<void> closed;
  asio::post(acceptor.get_executor(), [&] {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    closed.set_value();
  });
  // The runtime may already be stopped (tests, errors at start); then
  // nothing runs handlers and the acceptor is closed by its destructor.
  closed.get_future().wait_for(std::chrono::seconds(2));
}

}  // namespace

Result<std::uint16_t> HttpServer::start() {
  auto& impl = *impl_;
  auto& context = impl.io.context(0);
  auto proxy = ProxyReceiver::create(impl.options.proxy, "http", impl.metrics);
  if (!proxy) {
    spdlog::error("http: {}", proxy.error().message);
    return error_code(Errc::invalid_argument);
  }
  impl.proxy = std::move(*proxy);
  if (!impl.options.tls_listen.empty()) {
    auto certificate = ServerCertificate::load({impl.options.tls, impl.options.tls_client_ca});
    if (!certificate) {
      spdlog::error("https: {}", certificate.error().message);
      return error_code(Errc::invalid_argument);
    }
    auto tls_acceptor = bind_acceptor(context, impl.options.tls_listen);
    if (!tls_acceptor) return tls_acceptor.error();
    impl.certificate = std::move(*certificate);
    impl.tls_acceptor = std::move(*tls_acceptor);
    impl.tls_port = impl.tls_acceptor->local_endpoint().port();
  }
  auto acceptor = bind_acceptor(context, impl.options.listen);
  if (!acceptor) return acceptor.error();
  impl.acceptor = std::move(*acceptor);
  asio::co_spawn(context, impl.accept_loop(*impl.acceptor, nullptr), asio::detached);
  if (impl.tls_acceptor) {
    asio::co_spawn(context, impl.accept_loop(*impl.tls_acceptor, impl.certificate), asio::detached);
  }
  return impl.acceptor->local_endpoint().port();
}

std::uint16_t HttpServer::tls_port() const { return impl_->tls_port; }

std::shared_ptr<ServerCertificate> HttpServer::tls_certificate() const {
  return impl_->certificate;
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (impl_->stopping.exchange(true)) return;
  if (impl_->acceptor) close_acceptor(*impl_->acceptor);
  if (impl_->tls_acceptor) close_acceptor(*impl_->tls_acceptor);
  // Open streams end at once, idle keep-alive connections now, busy ones
  // after their response.
  impl_->streams.cancel_all();
  impl_->for_each_connection([](Connection& c) {
    boost::system::error_code ignored;
    if (c.idle) {
      c.socket.cancel(ignored);
      c.hold.cancel();
    }
  });
  std::unique_lock lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, grace, [&] { return impl_->connections.empty(); })) {
    lock.unlock();
    spdlog::warn("http: {} connections still busy after the grace period; closing them",
                 impl_->count());
    impl_->for_each_connection([](Connection& c) {
      boost::system::error_code ignored;
      c.socket.cancel(ignored);
    });
    lock.lock();
    impl_->cv.wait_for(lock, std::chrono::seconds(5), [&] { return impl_->connections.empty(); });
  }
}

std::size_t HttpServer::connection_count() const { return impl_->count(); }

}  // namespace postern::net
