#include "sim/app/relay_server.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <future>
#include <mutex>
#include <unordered_map>

#include "sim/common/http_util.h"
#include "sim/common/id_source.h"
#include "smtp/parser/command.h"

namespace postern::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

using Kind = FaultDecision::Kind;

constexpr std::chrono::minutes kCommandTimeout{5};  // RFC 5321 §4.5.3.2.7
constexpr std::chrono::minutes kDataTimeout{10};    // RFC 5321 §4.5.3.2.6
constexpr std::chrono::hours kHangTimeout{1};  // a hung session waits for its client to give up
constexpr std::size_t kMaxLine = smtp::kMaxAuthLine + 2;

struct Connection {
  Connection(tcp::socket socket, asio::ssl::context& tls)
      : stream(beast::tcp_stream(std::move(socket)), tls) {}
  asio::ssl::stream<beast::tcp_stream> stream;
  bool tls = false;
};

awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(
    Connection& c, asio::mutable_buffer buffer, std::chrono::seconds timeout) {
  c.stream.next_layer().expires_after(timeout);
  if (c.tls) {
    auto [ec, n] = co_await c.stream.async_read_some(buffer, kTuple);
    co_return std::make_pair(ec, n);
  }
  auto [ec, n] = co_await c.stream.next_layer().async_read_some(buffer, kTuple);
  co_return std::make_pair(ec, n);
}

awaitable<boost::system::error_code> write_all(Connection& c, std::string_view data) {
  c.stream.next_layer().expires_after(kCommandTimeout);
  if (c.tls) {
    auto [ec, n] =
        co_await asio::async_write(c.stream, asio::buffer(data.data(), data.size()), kTuple);
    co_return ec;
  }
  auto [ec, n] = co_await asio::async_write(c.stream.next_layer(),
                                            asio::buffer(data.data(), data.size()), kTuple);
  co_return ec;
}

awaitable<void> pause(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(kTuple);
}

// The hang fault: read and drop whatever comes until the client gives up.
awaitable<void> drain(Connection& c) {
  std::array<char, 4096> sink;
  for (;;) {
    auto [ec, n] = co_await read_some(c, asio::buffer(sink), kHangTimeout);
    if (ec) co_return;
  }
}

void shut(Connection& c) {
  boost::system::error_code ignored;
  c.stream.next_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
  c.stream.next_layer().close();
}

}  // namespace

struct RelayServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(net::IoRuntime& io, net::ListenAddress address, RelaySettings settings, FaultState& faults,
       Ledger& ledger, std::uint64_t seed)
      : io(io),
        address(std::move(address)),
        settings(std::move(settings)),
        tls(asio::ssl::context::tls_server),
        faults(faults),
        ledger(ledger),
        ids(seed) {}

  net::IoRuntime& io;
  net::ListenAddress address;
  RelaySettings settings;
  asio::ssl::context tls;
  FaultState& faults;
  Ledger& ledger;
  IdSource ids;
  std::shared_ptr<tcp::acceptor>
      acceptor;  // the control thread swaps it; the accept loop holds its own
  std::atomic<bool> open{false};
  std::atomic<std::uint16_t> port{0};
  std::mutex mu;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;  // guarded by mu

  struct Verdict {
    std::string reply;
    bool close = false;
  };

  // The end of DATA: faults for the message, then count it.
  awaitable<std::optional<Verdict>> deliver(Connection& c, RelaySession::Message message) {
    auto decision = faults.decide(false);
    if (decision.kind == Kind::hang) {
      co_await drain(c);
      co_return std::nullopt;
    }
    if (decision.latency.count() > 0) co_await pause(decision.latency);
    switch (decision.kind) {
      case Kind::auth:
        ledger.reject(Service::smtp, 530);
        co_return Verdict{"530 5.7.0 Authentication required\r\n"};
      case Kind::throttle:
        // The throttling text of SES's SMTP interface.
        ledger.reject(Service::smtp, 454);
        co_return Verdict{"454 4.7.0 Throttling failure: Maximum sending rate exceeded.\r\n"};
      case Kind::error: {
        auto reply = RelaySession::fault_reply(decision.status);
        ledger.reject(Service::smtp, std::stoi(reply.substr(0, 3)));
        co_return Verdict{reply, reply.starts_with("421")};
      }
      case Kind::none:
      case Kind::hang:
        break;
    }
    auto queue_id = ids.hex(10);
    for (auto& ch : queue_id) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    Receipt receipt;
    receipt.service = Service::smtp;
    receipt.received_at = std::chrono::system_clock::now();
    receipt.provider_message_id = queue_id;
    receipt.envelope = std::move(message.envelope);
    auto postern_id = raw_header(message.content, "X-Postern-Id").value_or("");
    receipt.body = std::move(message.content);
    ledger.accept(postern_id, std::move(receipt));
    co_return Verdict{RelaySession::queued_reply(queue_id)};
  }

  awaitable<void> serve(std::shared_ptr<Connection> c) {
    auto greet = faults.decide(true);
    if (greet.kind == Kind::hang) {
      co_await drain(*c);
      shut(*c);
      co_return;
    }
    if (greet.latency.count() > 0) co_await pause(greet.latency);
    RelaySession session(settings, faults);
    LineReader lines;
    std::string in, out = session.greeting();
    std::array<char, 16384> buffer;
    bool data_phase = false;
    for (;;) {
      bool need_read = false;
      bool close_after = false;
      if (!data_phase) {
        auto event = lines.next(in, kMaxLine);
        RelaySession::Step step;
        switch (event.kind) {
          case LineEvent::Kind::need_more:
            need_read = true;
            break;
          case LineEvent::Kind::line:
            step = session.on_line(event.text);
            break;
          case LineEvent::Kind::too_long:
          case LineEvent::Kind::bare_newline:
            step = session.on_bad_line(event.kind);
            break;
        }
        in.erase(0, event.consumed);
        out += step.reply;
        if (step.action == RelaySession::Action::close) close_after = true;
        if (step.action == RelaySession::Action::read_data) data_phase = true;
        if (step.action == RelaySession::Action::start_tls) {
          if (co_await write_all(*c, out)) break;
          out.clear();
          in.clear();  // RFC 3207 §4.2: nothing sent before the handshake counts after it
          c->stream.next_layer().expires_after(kCommandTimeout);
          auto [ec] = co_await c->stream.async_handshake(asio::ssl::stream_base::server, kTuple);
          if (ec) break;
          c->tls = true;
          session.tls_started();
          continue;
        }
      } else {
        auto progress = session.feed_data(in);
        in.erase(0, progress.consumed);
        if (!progress.done) {
          need_read = true;
        } else {
          data_phase = false;
          auto finished = session.finish_data();
          if (auto* refused = std::get_if<RelaySession::Step>(&finished)) {
            out += refused->reply;
          } else {
            auto verdict =
                co_await deliver(*c, std::move(std::get<RelaySession::Message>(finished)));
            if (!verdict) break;  // hung until the client left
            out += verdict->reply;
            close_after = verdict->close;
          }
        }
      }
      // Replies are flushed when the input holds no further complete
      // command, which batches them under PIPELINING (RFC 2920 §3.2).
      if ((need_read || close_after) && !out.empty()) {
        if (co_await write_all(*c, out)) break;
        out.clear();
      }
      if (close_after) break;
      if (need_read) {
        auto [ec, n] = co_await read_some(*c, asio::buffer(buffer),
                                          data_phase ? kDataTimeout : kCommandTimeout);
        if (ec == beast::error::timeout) {
          co_await write_all(*c, "421 4.4.2 Error: timeout exceeded\r\n");
          break;
        }
        if (ec) break;
        in.append(buffer.data(), n);
      }
    }
    shut(*c);
  }

  awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> listening) {
    auto self = shared_from_this();
    for (;;) {
      auto& context = io.next();
      auto [ec, socket] = co_await listening->async_accept(context, kTuple);
      if (!listening->is_open() || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        spdlog::warn("sim smtp: accept failed: {}", ec.message());
        co_await pause(std::chrono::milliseconds(50));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<Connection>(std::move(socket), tls);
      {
        std::lock_guard lock(mu);
        connections.emplace(connection.get(), connection);
      }
      asio::co_spawn(context, serve(connection),
                     [self, raw = connection.get()](std::exception_ptr e) {
                       if (e) {
                         try {
                           std::rethrow_exception(e);
                         } catch (const std::exception& ex) {
                           spdlog::error("sim smtp: session ended by an exception: {}", ex.what());
                         }
                       }
                       std::lock_guard lock(self->mu);
                       self->connections.erase(raw);
                     });
    }
  }
};

Result<std::unique_ptr<RelayServer>, Problem> RelayServer::create(
    net::IoRuntime& io, net::ListenAddress listen, RelaySettings settings, const TlsFiles& tls,
    FaultState& faults, Ledger& ledger, std::uint64_t seed) {
  settings.tls_available = !tls.cert.empty();
  auto impl =
      std::make_shared<Impl>(io, std::move(listen), std::move(settings), faults, ledger, seed);
  if (!tls.cert.empty()) {
    boost::system::error_code ec;
    impl->tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3);
    SSL_CTX_set_min_proto_version(impl->tls.native_handle(), TLS1_2_VERSION);
    impl->tls.use_certificate_chain_file(tls.cert, ec);
    if (ec) return Problem{"--tls-cert " + tls.cert + ": " + ec.message()};
    impl->tls.use_private_key_file(tls.key.empty() ? tls.cert : tls.key, asio::ssl::context::pem,
                                   ec);
    if (ec) return Problem{"--tls-key " + tls.key + ": " + ec.message()};
  }
  return std::unique_ptr<RelayServer>(new RelayServer(std::move(impl)));
}

RelayServer::~RelayServer() { close(); }

Result<std::uint16_t, Problem> RelayServer::open() {
  if (impl_->open) return impl_->port.load();
  auto& context = impl_->io.context(0);
  auto acceptor = std::make_shared<tcp::acceptor>(context);
  boost::system::error_code ec;
  auto port = impl_->port ? impl_->port.load() : impl_->address.port;
  tcp::endpoint endpoint(asio::ip::make_address(impl_->address.host, ec), port);
  if (!ec) acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Problem{"smtp: cannot listen on " + host_port(impl_->address.host, port) + ": " +
                   ec.message()};
  impl_->port = acceptor->local_endpoint().port();
  impl_->acceptor = acceptor;
  impl_->open = true;
  asio::co_spawn(context, impl_->accept_loop(acceptor), asio::detached);
  return impl_->port.load();
}

void RelayServer::close() {
  if (!impl_->open.exchange(false)) return;
  if (auto acceptor = std::move(impl_->acceptor)) {
    // The acceptor belongs to its context's thread: close it there.
    auto closed = std::make_shared<std::promise<void>>();
    auto done = closed->get_future();
    asio::post(acceptor->get_executor(), [closed, acceptor] {
      boost::system::error_code ignored;
      acceptor->close(ignored);
      closed->set_value();
    });
    done.wait_for(std::chrono::seconds(2));
  }
  // "down": established sessions end too, as when a relay dies.
  std::lock_guard lock(impl_->mu);
  for (auto& [raw, weak] : impl_->connections) {
    if (auto c = weak.lock()) asio::post(c->stream.get_executor(), [c] { shut(*c); });
  }
}

bool RelayServer::is_open() const { return impl_->open.load(); }
std::uint16_t RelayServer::port() const { return impl_->port.load(); }
std::string RelayServer::host() const { return impl_->address.host; }

}  // namespace postern::sim
