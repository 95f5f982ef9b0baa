// The thin coroutine driver of one SMTP session: reads with deadlines, feeds
// the SessionFsm, writes its replies, and performs its actions (STARTTLS
// swaps the stream in place, credential checks and the durable store run
// elsewhere and resume here). Errors a peer can cause never throw.
//
// Deadlines: each read, write or handshake sets a plain field, and one
// watchdog timer per session cancels the socket once the field's time has
// passed. Racing every read against timers instead (awaitable operators)
// spawned three coroutines and armed two timers per read.
// GCC 12 reports asio's coroutine frames, allocated and freed by the
// frame's own operator new and delete, as mismatched once this file's
// coroutines are inlined into one another (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/async_callback.h"
#include "net/tcp_listener.h"
#include "smtp/server_context.h"

namespace postern::smtp {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, tcp::socket socket, SessionTable::Ticket ticket,
          PeerInfo peer, std::string label)
      : ctx_(std::move(ctx)),
        socket_(std::move(socket)),
        watchdog_(socket_.get_executor()),
        ticket_(std::move(ticket)),
        peer_(std::move(peer)),
        label_(std::move(label)),
        session_deadline_(Clock::now() + ctx_->options.session_timeout) {
    ctx_->metrics.sessions_active.add(1);
  }
  ~Session() { ctx_->metrics.sessions_active.add(-1); }

  // The server is stopping (net::session_hooks): finish the message in
  // progress, then 421; or close now.
  void request_stop();
  void force_close();

  // The coroutine takes the session by value: the frame keeps it alive.
  static awaitable<void> run(std::shared_ptr<Session> self) {
    asio::co_spawn(self->socket_.get_executor(), watch(self), asio::detached);
    co_await self->serve();
  }

 private:
  enum class ReadOutcome { data, closed, idle_timeout, session_timeout, woken };
  // What ended an I/O step that failed with operation_aborted.
  enum class Interrupt { none, deadline, stop };
  struct ReadResult {
    ReadOutcome outcome;
    std::size_t bytes = 0;
    std::string error;
  };

  awaitable<void> serve();
  awaitable<ReadResult> read_some();
  awaitable<bool> write_output();
  awaitable<bool> handshake();
  // Holds the session weakly: its end destroys the timer, which wakes the
  // watchdog to find the session gone.
  static awaitable<void> watch(std::weak_ptr<Session> weak);
  // Cancels the I/O step whose deadline has passed and sets the timer to the
  // next deadline; nothing when the session is gone.
  static asio::steady_timer* arm_watchdog(const std::weak_ptr<Session>& weak);
  // The deadline of the I/O step about to start (it also forgets why the
  // step before was interrupted); one earlier than the watchdog's wake-up
  // re-arms it, a later one costs nothing.
  void set_deadline(Clock::time_point t);
  // Why the step that just failed was cancelled; clears it.
  Interrupt take_interrupt() { return std::exchange(interrupt_, Interrupt::none); }
  awaitable<std::optional<auth::Principal>> check_credentials(Credentials credentials);
  awaitable<Result<store::EnqueueResult>> submit(store::NewMessage message);
  void register_hooks();
  void end(const std::string& reason);
  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  std::shared_ptr<ServerContext> ctx_;
  tcp::socket socket_;
  std::shared_ptr<asio::ssl::context> tls_context_;  // this session's certificate; outlives tls_
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  asio::steady_timer watchdog_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_ = Clock::time_point::max();  // when the watchdog wakes next
  Interrupt interrupt_ = Interrupt::none;
  bool reading_ = false;  // a read is under way: a stop request cancels it
  SessionTable::Ticket ticket_;
  PeerInfo peer_;
  std::string label_;  // "address:port" for logs
  Clock::time_point session_deadline_;
  std::optional<SessionFsm> fsm_;  // built once implicit TLS (if any) is up
  std::string failure_;            // why an I/O step failed
  bool stop_requested_ = false;
  bool stop_delivered_ = false;
  bool forced_ = false;  // force_close ran: I/O errors from here on are ours
  std::array<char, 16 * 1024> buffer_{};
};

awaitable<void> Session::serve() {
  register_hooks();
  auto verdict = ticket_.verdict();
  if (ctx_->options.implicit_tls) {
    if (verdict != ConnectVerdict::accept) {
      ctx_->metrics.connections_refused.inc();
      end("connection refused before TLS: limit reached or shutting down");
      co_return;
    }
    if (!co_await handshake()) {
      end(failure_);
      co_return;
    }
    peer_.tls = true;
  }
  fsm_.emplace(ctx_->policy, peer_, ctx_->clock, ctx_->metrics);
  fsm_->on_connected(verdict);
  for (;;) {
    auto action = fsm_->next();
    if (!fsm_->output().empty() && !co_await write_output()) {
      fsm_->on_input_closed(failure_);
      end(fsm_->close_reason());
      co_return;
    }
    switch (action) {
      case SessionFsm::Action::flush:
        break;
      case SessionFsm::Action::read: {
        if (stop_requested_ && !stop_delivered_) {
          stop_delivered_ = true;
          fsm_->on_shutdown();
          break;
        }
        auto r = co_await read_some();
        switch (r.outcome) {
          case ReadOutcome::data:
            fsm_->on_input(std::string_view(buffer_.data(), r.bytes));
            break;
          case ReadOutcome::closed:
            fsm_->on_input_closed(r.error);
            break;
          case ReadOutcome::idle_timeout:
            fsm_->on_timeout(Timeout::idle);
            break;
          case ReadOutcome::session_timeout:
            fsm_->on_timeout(Timeout::session);
            break;
          case ReadOutcome::woken:
            break;  // stop_requested_ is seen on the next read
        }
        break;
      }
      case SessionFsm::Action::start_tls: {
        bool ok = co_await handshake();
        fsm_->on_tls_done(ok, ok ? peer_.tls_description : failure_);
        break;
      }
      // No temporaries with destructors inside a co_await expression:
      // GCC 12 can destroy them twice or keep a stale copy across the
      // suspension (see docs/architecture.md, coroutine rules). Name them.
      case SessionFsm::Action::check_credentials: {
        auto credentials = fsm_->take_credentials();
        auto principal = co_await check_credentials(std::move(credentials));
        fsm_->on_auth_result(std::move(principal));
        break;
      }
      case SessionFsm::Action::store_message: {
        auto message = fsm_->take_message();
        auto stored = co_await submit(std::move(message));
        fsm_->on_store_result(stored);
        break;
      }
      case SessionFsm::Action::close:
        end(fsm_->close_reason());
        co_return;
    }
  }
}

void Session::set_deadline(Clock::time_point t) {
  deadline_ = t;
  interrupt_ = Interrupt::none;
  if (t < armed_) watchdog_.cancel();
}

asio::steady_timer* Session::arm_watchdog(const std::weak_ptr<Session>& weak) {
  auto self = weak.lock();
  if (!self) return nullptr;
  if (Clock::now() >= self->deadline_) {
    self->deadline_ = Clock::time_point::max();  // one cancel per expiry
    self->interrupt_ = Interrupt::deadline;
    boost::system::error_code ignored;
    self->lowest().cancel(ignored);
  }
  self->armed_ = self->deadline_;
  self->watchdog_.expires_at(self->armed_);
  return &self->watchdog_;
}

awaitable<void> Session::watch(std::weak_ptr<Session> weak) {
  // The timer is used only to start the wait; after it the session is
  // looked up again, as it may be gone.
  while (auto* timer = arm_watchdog(weak)) co_await timer->async_wait(kToken);
}

awaitable<Session::ReadResult> Session::read_some() {
  auto idle_deadline = Clock::now() + ctx_->options.idle_timeout;
  bool session_limit = session_deadline_ <= idle_deadline;
  set_deadline(session_limit ? session_deadline_ : idle_deadline);
  auto buffer = asio::buffer(buffer_);
  reading_ = true;
  std::tuple<boost::system::error_code, std::size_t> result;
  if (tls_) {
    result = co_await tls_->async_read_some(buffer, kToken);
  } else {
    result = co_await socket_.async_read_some(buffer, kToken);
  }
  reading_ = false;
  auto [ec, n] = result;
  if (!ec) co_return ReadResult{ReadOutcome::data, n, {}};
  if (forced_)
    co_return ReadResult{ReadOutcome::closed, 0, "closed by the server: grace period over"};
  switch (take_interrupt()) {
    case Interrupt::deadline:
      co_return ReadResult{
          session_limit ? ReadOutcome::session_timeout : ReadOutcome::idle_timeout, 0, {}};
    case Interrupt::stop:
      co_return ReadResult{ReadOutcome::woken, 0, {}};
    case Interrupt::none:
      break;
  }
  bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  co_return ReadResult{ReadOutcome::closed, 0,
                       eof ? "client closed the connection" : "read failed: " + ec.message()};
}

awaitable<bool> Session::write_output() {
  // A client that stops reading must not hold the session forever.
  set_deadline(Clock::now() + ctx_->options.idle_timeout);
  auto buffer = asio::buffer(fsm_->output());
  std::tuple<boost::system::error_code, std::size_t> result;
  if (tls_) {
    result = co_await asio::async_write(*tls_, buffer, kToken);
  } else {
    result = co_await asio::async_write(socket_, buffer, kToken);
  }
  fsm_->clear_output();
  auto [ec, n] = result;
  if (ec) {
    failure_ = take_interrupt() == Interrupt::deadline ? "write timed out"
                                                       : "write failed: " + ec.message();
  }
  co_return !ec;
}

awaitable<bool> Session::handshake() {
  tls_context_ = ctx_->tls->current();
  tls_.emplace(std::move(socket_), *tls_context_);
  set_deadline(Clock::now() + ctx_->options.idle_timeout);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, kToken);
  if (ec) {
    failure_ = take_interrupt() == Interrupt::deadline ? "timed out" : ec.message();
    co_return false;
  }
  SSL* ssl = tls_->native_handle();
  peer_.tls_description =
      std::string(SSL_get_version(ssl)) + " with cipher " + SSL_get_cipher_name(ssl);
  co_return true;
}

awaitable<std::optional<auth::Principal>> Session::check_credentials(Credentials credentials) {
  // Argon2id takes tens of milliseconds: run it on the auth pool so that the
  // other sessions of this I/O thread are not held up, then resume here.
  return net::async_callback<std::optional<auth::Principal>>(
      [pool = ctx_->auth_pool.get_executor(), &authenticator = ctx_->authenticator,
       c = std::move(credentials)](auto done) mutable {
        asio::post(pool, [&authenticator, c = std::move(c), done = std::move(done)] {
          done(authenticator.authenticate_login(c.user, c.password));
        });
      });
}

awaitable<Result<store::EnqueueResult>> Session::submit(store::NewMessage message) {
  // The completion runs on the store's writer thread (or inline).
  // Recipients on the suppression list were accepted at RCPT and are left
  // out by the store (docs/events.md): the reply is the same either way.
  return net::async_callback<Result<store::EnqueueResult>>(
      [&intake = ctx_->intake, m = std::move(message)](auto done) mutable {
        intake.submit(std::move(m), [done = std::move(done)](Result<delivery::Accepted> r) {
          if (!r) return done(r.error());
          done(std::move(r->stored));
        });
      });
}

void Session::register_hooks() {
  ticket_.set_hooks(net::session_hooks(socket_.get_executor(), weak_from_this()));
}

void Session::request_stop() {
  stop_requested_ = true;
  if (reading_) {  // a write or a store under way ends first
    interrupt_ = Interrupt::stop;
    boost::system::error_code ignored;
    lowest().cancel(ignored);
  }
}

void Session::force_close() {
  boost::system::error_code ignored;
  forced_ = true;
  lowest().close(ignored);
}

void Session::end(const std::string& reason) {
  boost::system::error_code ignored;
  lowest().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().close(ignored);
  if (reason == "client sent QUIT") {
    spdlog::debug("smtp {}: session ended: {}", label_, reason);
  } else {
    spdlog::info("smtp {}: session ended: {}", label_, reason);
  }
}

}  // namespace

void start_session(std::shared_ptr<ServerContext> context, tcp::socket socket, net::Peer remote) {
  PeerInfo peer;
  peer.address = remote.address;
  peer.proxied = remote.proxied;
  // A proxied client from a loopback address is on the proxy's host, not
  // on this one: the loopback networks do not trust it.
  peer.trusted =
      context->trusted.contains(peer.address) && !(remote.proxied && remote.loopback_address());
  auto ticket = context->table.admit(peer.address, peer.trusted);
  if (ticket.verdict() == ConnectVerdict::accept) context->metrics.sessions_total.inc();
  auto executor = socket.get_executor();
  auto session = std::make_shared<Session>(std::move(context), std::move(socket), std::move(ticket),
                                           std::move(peer), remote.label);
  net::spawn_session(executor, Session::run(std::move(session)), "smtp", remote.label);
}

}  // namespace postern::smtp
