// TcpListener, ServerListeners, stop_sessions, peer_of, spawn_session: see
// tcp_listener.h.
#include "net/tcp_listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/listen_address.h"
#include "net/proxy_accept.h"

namespace postern::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// How long stop_sessions() waits for sessions to unwind once they were
// closed, and close() for the accept loop to notice the closed acceptor.
constexpr std::chrono::seconds kUnwindBound{2};

}  // namespace

struct TcpListener::State {
  State(IoRuntime& io, tcp::acceptor acceptor, std::string name)
      : io(io), acceptor(std::move(acceptor)), name(std::move(name)) {}

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> self, Accept accept);

  IoRuntime& io;
  tcp::acceptor acceptor;  // lives on io.context(0)
  std::string name;
  std::promise<void> loop_done;
  bool started = false;
  bool closed = false;
};

asio::awaitable<void> TcpListener::State::accept_loop(std::shared_ptr<State> self, Accept accept) {
  constexpr auto token = asio::as_tuple(asio::use_awaitable);
  asio::steady_timer backoff(self->acceptor.get_executor());
  for (;;) {
    // Each connection gets the next context, so sessions spread over threads.
    asio::any_io_executor target = self->io.next().get_executor();
    auto [ec, socket] = co_await self->acceptor.async_accept(target, token);
    if (!self->acceptor.is_open() || ec == asio::error::operation_aborted) break;
    if (ec) {
      // EMFILE and the like: wait a little instead of spinning.
      spdlog::warn("{}: accept failed: {}", self->name, ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(token);
      continue;
    }
    accept(std::move(socket));
  }
  self->loop_done.set_value();
}

Result<std::shared_ptr<TcpListener>> TcpListener::bind(IoRuntime& io, const std::string& listen,
                                                       std::string name) {
  auto parsed = parse_listen_address(listen);
  boost::system::error_code ec;
  auto address = parsed ? asio::ip::make_address(parsed->host, ec) : asio::ip::address();
  if (!parsed || ec) {
    spdlog::error("{}: listen: '{}' is not an address:port", name, listen);
    return error_code(Errc::invalid_argument);
  }
  tcp::endpoint endpoint(address, parsed->port);
  tcp::acceptor acceptor(io.context(0));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("{}: cannot listen on {}: {}", name, listen, ec.message());
    return ec;
  }
  return std::shared_ptr<TcpListener>(
      new TcpListener(std::make_shared<State>(io, std::move(acceptor), std::move(name))));
}

std::uint16_t TcpListener::port() const { return state_->acceptor.local_endpoint().port(); }

std::string TcpListener::address() const {
  return state_->acceptor.local_endpoint().address().to_string();
}

void TcpListener::start(Accept accept) {
  if (state_->started) return;
  state_->started = true;
  asio::co_spawn(state_->acceptor.get_executor(), State::accept_loop(state_, std::move(accept)),
                 asio::detached);
}

void TcpListener::close() {
  if (state_->closed) return;
  state_->closed = true;
  auto done = state_->loop_done.get_future();
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
  if (state_->started) done.wait_for(kUnwindBound);
}

namespace {

// A PROXY protocol listener's connection: its header first, then its
// session. A plain function, not a lambda: a coroutine lambda's captures
// do not outlive its first suspension.
asio::awaitable<void> receive_then_accept(std::shared_ptr<const ProxyReceiver> proxy,
                                          tcp::socket socket,
                                          std::shared_ptr<const ServerListeners::Accept> accept) {
  auto peer = co_await proxy->receive(socket);
  if (peer) (*accept)(std::move(socket), std::move(*peer));
}

}  // namespace

Result<void> ServerListeners::use_proxy_protocol(const ProxyProtocolOptions& options,
                                                 MetricsRegistry& metrics) {
  auto proxy = ProxyReceiver::create(options, name_, metrics);
  if (!proxy) {
    spdlog::error("{}: {}", name_, proxy.error().message);
    return error_code(Errc::invalid_argument);
  }
  proxy_ = std::move(*proxy);
  return {};
}

Result<std::uint16_t> ServerListeners::open(const std::string& listen, std::string_view note,
                                            Accept accept) {
  auto proxy = proxy_;
  auto listener = TcpListener::bind(io_, listen, name_);
  if (!listener) return listener.error();
  auto& opened = listeners_.emplace_back(std::move(*listener));
  auto shared = std::make_shared<const Accept>(std::move(accept));
  opened->start([name = name_, proxy, shared](tcp::socket socket) {
    if (proxy) {
      auto executor = socket.get_executor();
      asio::co_spawn(executor, receive_then_accept(proxy, std::move(socket), shared),
                     asio::detached);
      return;
    }
    if (auto peer = accepted_peer(socket, name)) (*shared)(std::move(socket), std::move(*peer));
  });
  spdlog::info("{}: listening on {} port {}{}{}", name_, opened->address(), opened->port(), note,
               proxy ? ", PROXY protocol" : "");
  return opened->port();
}

void ServerListeners::close() {
  for (auto& listener : listeners_) listener->close();
}

void ServerListeners::stop(SessionTable& table, std::chrono::milliseconds grace) {
  close();
  stop_sessions(table, grace, name_);
}

void stop_sessions(SessionTable& table, std::chrono::milliseconds grace, std::string_view name) {
  table.request_stop_all();
  if (table.wait_empty(std::chrono::steady_clock::now() + grace)) return;
  spdlog::warn("{}: closing {} sessions still open after the grace period", name, table.size());
  table.force_close_all();
  if (!table.wait_empty(std::chrono::steady_clock::now() + kUnwindBound)) {
    spdlog::error("{}: {} sessions did not end (is the IoRuntime running?)", name, table.size());
  }
}

Peer make_peer(std::string address, std::uint16_t port) {
  Peer peer;
  bool v6 = address.find(':') != std::string::npos;
  peer.label = (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
  peer.address = std::move(address);
  return peer;
}

bool Peer::loopback_address() const {
  boost::system::error_code ec;
  auto parsed = asio::ip::make_address(address, ec);
  return !ec && parsed.is_loopback();
}

Result<Peer> peer_of(const tcp::socket& socket) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return ec;
  auto address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return make_peer(address.to_string(), remote.port());
}

std::optional<Peer> accepted_peer(const asio::ip::tcp::socket& socket, std::string_view name) {
  auto peer = peer_of(socket);
  if (!peer) {
    spdlog::debug("{}: connection lost before it started: {}", name, peer.error().message());
    return std::nullopt;
  }
  return std::move(*peer);
}

void spawn_session(const asio::any_io_executor& executor, asio::awaitable<void> session,
                   std::string name, std::string label) {
  asio::co_spawn(executor, std::move(session),
                 [name = std::move(name), label = std::move(label)](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     spdlog::error("{} {}: session ended by an exception: {}", name, label,
                                   ex.what());
                   } catch (...) {
                     spdlog::error("{} {}: session ended by an unknown exception", name, label);
                   }
                 });
}

}  // namespace postern::net
