// The thin coroutine driver of one IMAP session: reads with a deadline
// (SessionFsm::idle_timeout), feeds the SessionFsm, writes its output, and
// performs its actions: STARTTLS swaps the stream in place, login checks
// run on the worker pool, store writes run through the store's completions;
// both resume here, on the session's own executor (net::async_callback).
// Errors a peer can cause never throw.
//
// One timer per session bounds every read, write and handshake: it is set
// before each step and, when it fires first, cancels the socket.
// GCC 12 reports asio's coroutine frames, allocated and freed by the
// frame's own operator new and delete, as mismatched once this file's
// coroutines are inlined into one another (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "imap/server/server_context.h"
#include "net/async_callback.h"
#include "net/tcp_listener.h"

namespace postern::imap {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

// A long FETCH to a slow reader: each write of it gets this long.
constexpr std::chrono::seconds kWriteTimeout{600};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, tcp::socket socket, net::SessionTable::Ticket ticket,
          PeerInfo peer, std::string label, bool implicit_tls)
      : ctx_(std::move(ctx)),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        ticket_(std::move(ticket)),
        label_(std::move(label)),
        implicit_tls_(implicit_tls),
        fsm_(ctx_->policy, std::move(peer), ctx_->store, ctx_->recent) {
    ctx_->metrics.sessions_active.add(1);
  }
  ~Session() { ctx_->metrics.sessions_active.add(-1); }

  // The coroutine takes the session by value: the frame keeps it alive.
  static awaitable<void> run(std::shared_ptr<Session> self) { co_await self->serve(); }

  // The server is stopping (net::session_hooks): a read under way ends
  // now and the session says BYE; a write, a login or a store write ends
  // first.
  void request_stop() {
    stop_requested_ = true;
    if (reading_) {
      interrupt_ = Interrupt::stop;
      boost::system::error_code ignored;
      lowest().cancel(ignored);
    }
  }
  void force_close() {
    boost::system::error_code ignored;
    lowest().close(ignored);
  }

 private:
  enum class Interrupt { none, deadline, stop };

  awaitable<void> serve();
  bool refused();
  awaitable<void> read();
  awaitable<bool> write_output();
  awaitable<bool> handshake();
  awaitable<void> check_login();
  awaitable<void> store_call();
  void arm(std::chrono::steady_clock::duration limit);
  void end(const std::string& reason);
  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  std::shared_ptr<ServerContext> ctx_;
  tcp::socket socket_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  asio::steady_timer timer_;
  net::SessionTable::Ticket ticket_;
  std::string label_;  // "address:port" for logs
  bool implicit_tls_;
  SessionFsm fsm_;
  Interrupt interrupt_ = Interrupt::none;
  bool reading_ = false;  // a read is under way: a stop request cancels it
  bool stop_requested_ = false;
  std::string failure_;  // why the last I/O step failed
  std::array<char, 16 * 1024> buffer_{};
};

// The refusal, when the connection is not admitted: true when refused.
// (A plain function: GCC 12 miscompiles co_return inside a switch.)
bool Session::refused() {
  auto verdict = ticket_.verdict();
  if (verdict == net::ConnectVerdict::accept) return false;
  ctx_->metrics.connections_refused.inc();
  fsm_.on_refused(verdict == net::ConnectVerdict::too_many_connections
                      ? "[UNAVAILABLE] Too many connections; try again later."
                      : "[UNAVAILABLE] Server shutting down.");
  return true;
}

awaitable<void> Session::serve() {
  ticket_.set_hooks(net::session_hooks(socket_.get_executor(), weak_from_this()));
  if (!refused()) {
    // With implicit TLS the greeting comes after the handshake.
    if (implicit_tls_ && !co_await handshake()) {
      end("TLS handshake failed: " + failure_);
      co_return;
    }
    fsm_.on_connected();
  }
  for (;;) {
    auto action = fsm_.next();
    if (!fsm_.output().empty() && !co_await write_output()) {
      end(failure_);
      co_return;
    }
    switch (action) {
      case SessionFsm::Action::flush:
        break;
      case SessionFsm::Action::read:
        if (stop_requested_) {
          fsm_.on_shutdown();
          break;
        }
        co_await read();
        break;
      case SessionFsm::Action::start_tls: {
        bool ok = co_await handshake();
        fsm_.on_tls_done(ok, failure_);
        break;
      }
      case SessionFsm::Action::check_login:
        co_await check_login();
        break;
      case SessionFsm::Action::store_call:
        co_await store_call();
        break;
      case SessionFsm::Action::close:
        end(fsm_.close_reason());
        co_return;
    }
  }
}

void Session::arm(std::chrono::steady_clock::duration limit) {
  interrupt_ = Interrupt::none;
  timer_.expires_after(limit);  // cancels the wait of the step before
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->interrupt_ = Interrupt::deadline;
      boost::system::error_code ignored;
      self->lowest().cancel(ignored);
    }
  });
}

awaitable<void> Session::read() {
  arm(fsm_.idle_timeout());
  auto buffer = asio::buffer(buffer_);
  reading_ = true;
  std::tuple<boost::system::error_code, std::size_t> result;
  if (tls_) {
    result = co_await tls_->async_read_some(buffer, kToken);
  } else {
    result = co_await socket_.async_read_some(buffer, kToken);
  }
  reading_ = false;
  timer_.cancel();
  auto [ec, n] = result;
  if (!ec) {
    fsm_.on_input(std::string_view(buffer_.data(), n));
    co_return;
  }
  switch (std::exchange(interrupt_, Interrupt::none)) {
    case Interrupt::deadline:
      ctx_->metrics.idle_timeouts.inc();
      fsm_.on_idle_timeout();
      co_return;
    case Interrupt::stop:
      co_return;  // stop_requested_ is seen at the next read
    case Interrupt::none:
      break;
  }
  bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  if (!eof) spdlog::debug("imap {}: read failed: {}", label_, ec.message());
  fsm_.on_input_closed();
}

awaitable<bool> Session::write_output() {
  // A client that stops reading must not hold the session forever.
  arm(kWriteTimeout);
  auto buffer = asio::buffer(fsm_.output());
  std::tuple<boost::system::error_code, std::size_t> result;
  if (tls_) {
    result = co_await asio::async_write(*tls_, buffer, kToken);
  } else {
    result = co_await asio::async_write(socket_, buffer, kToken);
  }
  timer_.cancel();
  fsm_.clear_output();
  auto [ec, n] = result;
  if (ec) {
    failure_ =
        interrupt_ == Interrupt::deadline ? "write timed out" : "write failed: " + ec.message();
  }
  co_return !ec;
}

awaitable<bool> Session::handshake() {
  tls_.emplace(std::move(socket_), *ctx_->tls);
  arm(ctx_->options.login_timeout);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, kToken);
  timer_.cancel();
  if (ec) {
    failure_ = interrupt_ == Interrupt::deadline ? "timed out" : ec.message();
    co_return false;
  }
  SSL* ssl = tls_->native_handle();
  spdlog::debug("imap {}: {} with cipher {}", label_, SSL_get_version(ssl),
                SSL_get_cipher_name(ssl));
  co_return true;
}

using LoginResult = Result<store::InboxAccount>;

// Runs the check on the worker pool (Argon2id takes tens of milliseconds;
// the other sessions of this I/O thread go on meanwhile).
auto verify_on_pool(ServerContext& ctx, LoginRequest request) {
  return net::async_callback<LoginResult>([&ctx, r = std::move(request)](auto done) mutable {
    asio::post(ctx.workers, [&ctx, r = std::move(r), done = std::move(done)]() mutable {
      done(ctx.logins.verify_login(r.user, r.password));
    });
  });
}

awaitable<void> Session::check_login() {
  auto request = fsm_.take_login();
  auto user = request.user;
  auto result = co_await verify_on_pool(*ctx_, std::move(request));
  if (result) {
    ctx_->metrics.logins.inc();
    spdlog::debug("imap {}: '{}' logged in", label_, user);
  } else if (result.error() == Errc::not_found) {
    ctx_->metrics.login_failures.inc();
    spdlog::info("imap {}: failed login as '{}'", label_, user);
  }
  fsm_.on_login_result(std::move(result));
}

// The store answers on its writer thread; the answer is posted back here.
auto run_store_call(StoreCall call) {
  return net::async_callback<StoreReply>([call = std::move(call)](auto done) mutable {
    call([done = std::move(done)](StoreReply reply) mutable { done(std::move(reply)); });
  });
}

awaitable<void> Session::store_call() {
  auto reply = co_await run_store_call(fsm_.take_store_call());
  fsm_.on_store_reply(std::move(reply));
}

void Session::end(const std::string& reason) {
  timer_.cancel();
  boost::system::error_code ignored;
  lowest().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().close(ignored);
  if (reason == "logout" || reason == "connection closed by client") {
    spdlog::debug("imap {}: session ended: {}", label_, reason);
  } else {
    spdlog::info("imap {}: session ended: {}", label_, reason);
  }
}

bool is_loopback(const std::string& address) {
  boost::system::error_code ec;
  auto parsed = asio::ip::make_address(address, ec);
  return !ec && parsed.is_loopback();
}

}  // namespace

void start_session(std::shared_ptr<ServerContext> context, tcp::socket socket, bool implicit_tls) {
  auto peer = net::peer_of(socket);
  if (!peer) {
    spdlog::debug("imap: connection lost before it started: {}", peer.error().message());
    return;
  }
  auto ticket = context->table.admit(peer->address, false);
  if (ticket.verdict() == net::ConnectVerdict::accept) context->metrics.sessions_total.inc();
  PeerInfo info{peer->address, is_loopback(peer->address), implicit_tls};
  auto executor = socket.get_executor();
  auto session = std::make_shared<Session>(std::move(context), std::move(socket), std::move(ticket),
                                           std::move(info), peer->label, implicit_tls);
  net::spawn_session(executor, Session::run(std::move(session)), "imap", peer->label);
}

}  // namespace postern::imap
