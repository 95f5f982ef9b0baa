// The thin coroutine driver of one IMAP session: reads with a deadline
// (SessionFsm::idle_timeout), feeds the SessionFsm, writes its output, and
// performs its actions: STARTTLS swaps the stream in place, login checks
// run on the worker pool, store writes run through the store's completions;
// both resume here, on the session's own executor (net::async_callback).
// Errors a peer can cause never throw.
//
// net::TimedStream bounds every read, write and handshake.
// GCC 12 reports asio's coroutine frames, allocated and freed by the
// frame's own operator new and delete, as mismatched once this file's
// coroutines are inlined into one another (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "imap/server/server_context.h"
#include "net/async_callback.h"
#include "net/tcp_listener.h"
#include "net/timed_stream.h"

namespace postern::imap {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

// A long FETCH to a slow reader: each write of it gets this long.
constexpr std::chrono::seconds kWriteTimeout{600};
// IDLE (RFC 2177) pushes what other sessions and processes change in the
// mailbox. The store has no change notification that reaches every
// process (cluster mode, the CLI), so an idling session asks it this often
// (changes_since: one indexed read when nothing changed).
constexpr std::chrono::seconds kIdlePoll{2};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, tcp::socket socket, net::SessionTable::Ticket ticket,
          PeerInfo peer, std::string label, bool implicit_tls)
      : ctx_(std::move(ctx)),
        stream_(std::move(socket)),
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
    stream_.interrupt_read();
  }
  void force_close() { stream_.force_close(); }

 private:
  awaitable<void> serve();
  bool refused();
  awaitable<void> read();
  // How long the next read may wait: the idle limit, or in IDLE the time
  // to the next poll of the store (poll_due_ says which).
  net::TimedStream::Duration read_limit();
  awaitable<bool> write_output();
  awaitable<bool> handshake();
  awaitable<void> check_login();
  awaitable<void> store_call();
  void end(const std::string& reason);

  std::shared_ptr<ServerContext> ctx_;
  net::TimedStream stream_;
  net::SessionTable::Ticket ticket_;
  std::string label_;  // "address:port" for logs
  bool implicit_tls_;
  SessionFsm fsm_;
  bool stop_requested_ = false;
  // In IDLE: when the client last sent something, and whether the read under
  // way ends for a poll of the store rather than for the idle limit.
  std::chrono::steady_clock::time_point silent_since_{};
  bool poll_due_ = false;
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
  stream_.set_owner(weak_from_this());
  ticket_.set_hooks(net::session_hooks(stream_.executor(), weak_from_this()));
  if (!refused()) {
    // With implicit TLS the greeting comes after the handshake.
    if (implicit_tls_ && !co_await handshake()) {
      end("TLS handshake failed: " + stream_.failure());
      co_return;
    }
    fsm_.on_connected();
  }
  for (;;) {
    auto action = fsm_.next();
    if (!fsm_.output().empty() && !co_await write_output()) {
      end(stream_.failure());
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
        fsm_.on_tls_done(ok, stream_.failure());
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

awaitable<void> Session::read() {
  std::size_t n = 0;
  auto result = co_await stream_.read_some(asio::buffer(buffer_), read_limit(), n);
  using R = net::TimedStream::ReadResult;
  if (result == R::data) {
    silent_since_ = {};
    fsm_.on_input(std::string_view(buffer_.data(), n));
  } else if (result == R::deadline && poll_due_) {
    fsm_.on_mailbox_changed();
  } else if (result == R::deadline) {
    ctx_->metrics.idle_timeouts.inc();
    fsm_.on_idle_timeout();
  } else if (result == R::closed) {
    spdlog::debug("imap {}: {}", label_, stream_.failure());
    fsm_.on_input_closed();
  }  // R::stop: stop_requested_ is seen at the next read
}

net::TimedStream::Duration Session::read_limit() {
  using Clock = std::chrono::steady_clock;
  net::TimedStream::Duration limit = fsm_.idle_timeout();
  poll_due_ = false;
  if (!fsm_.idling()) {
    silent_since_ = {};
    return limit;
  }
  // The client's silence counts from the start of IDLE, across polls.
  auto now = Clock::now();
  if (silent_since_ == Clock::time_point{}) silent_since_ = now;
  auto left = silent_since_ + limit - now;
  if (left <= kIdlePoll) return std::max(left, net::TimedStream::Duration::zero());
  poll_due_ = true;
  return kIdlePoll;
}

awaitable<bool> Session::write_output() {
  // A client that stops reading must not hold the session forever.
  bool ok = co_await stream_.write(asio::buffer(fsm_.output()), kWriteTimeout);
  fsm_.clear_output();
  co_return ok;
}

awaitable<bool> Session::handshake() {
  bool ok = co_await stream_.handshake(*ctx_->tls, ctx_->options.login_timeout);
  if (ok) spdlog::debug("imap {}: {}", label_, stream_.description());
  co_return ok;
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
  stream_.close();
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
