// The thin coroutine driver of one POP3 session: reads with a deadline,
// feeds the SessionFsm, writes its responses, and performs its actions
// (STLS swaps the stream in place; logins and message reads run on the
// worker pool and resume here; the commit at QUIT goes to the Backend).
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
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/async_callback.h"
#include "net/tcp_listener.h"
#include "pop3/login.h"
#include "pop3/server_context.h"

namespace postern::pop3 {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

// The one step of a session that may take longer: a RETR of a large
// message to a slow reader. Its write gets this long however big it is.
constexpr std::chrono::seconds kWriteTimeout{600};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, tcp::socket socket, net::SessionTable::Ticket ticket,
          std::string label)
      : ctx_(std::move(ctx)),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        ticket_(std::move(ticket)),
        label_(std::move(label)),
        fsm_(ctx_->policy) {
    ctx_->metrics.sessions_active.add(1);
  }
  ~Session() { ctx_->metrics.sessions_active.add(-1); }

  // The coroutine takes the session by value: the frame keeps it alive.
  static awaitable<void> run(std::shared_ptr<Session> self) { co_await self->serve(); }

  // The server is stopping (net::session_hooks): a read under way ends
  // now; a write, a login or a commit ends first.
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
  awaitable<void> read();
  awaitable<bool> write_output();
  awaitable<bool> handshake();
  awaitable<void> login();
  awaitable<void> retrieve();
  awaitable<void> commit();
  // Bounds the next I/O step: when `limit` passes first, the socket is
  // cancelled and the step fails with interrupt_ == deadline.
  void arm(std::chrono::steady_clock::duration limit);
  void register_hooks();
  void end(const std::string& reason);
  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  std::shared_ptr<ServerContext> ctx_;
  tcp::socket socket_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  asio::steady_timer timer_;
  net::SessionTable::Ticket ticket_;
  std::string label_;  // "address:port" for logs
  SessionFsm fsm_;
  std::optional<LoginGrant> grant_;  // the account's lock and maildrop, once logged in
  Interrupt interrupt_ = Interrupt::none;
  bool reading_ = false;  // a read is under way: a stop request cancels it
  bool stop_requested_ = false;
  bool stop_delivered_ = false;
  std::string failure_;  // why the last I/O step failed
  std::array<char, 16 * 1024> buffer_{};
};

awaitable<void> Session::serve() {
  register_hooks();
  auto verdict = ticket_.verdict();
  if (verdict != ConnectVerdict::accept) ctx_->metrics.connections_refused.inc();
  fsm_.on_connected(verdict);
  for (;;) {
    auto action = fsm_.next();
    if (!fsm_.output().empty() && !co_await write_output()) {
      fsm_.on_input_closed(failure_);
      end(fsm_.close_reason());
      co_return;
    }
    switch (action) {
      case SessionFsm::Action::flush:
        break;
      case SessionFsm::Action::read:
        if (stop_requested_ && !stop_delivered_) {
          stop_delivered_ = true;
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
      case SessionFsm::Action::login:
        co_await login();
        break;
      case SessionFsm::Action::retrieve:
        co_await retrieve();
        break;
      case SessionFsm::Action::commit:
        co_await commit();
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
      fsm_.on_idle_timeout();
      co_return;
    case Interrupt::stop:
      co_return;  // stop_requested_ is seen at the next read
    case Interrupt::none:
      break;
  }
  bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  fsm_.on_input_closed(eof ? "client closed the connection" : "read failed: " + ec.message());
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
  failure_ = std::string(SSL_get_version(ssl)) + " with cipher " + SSL_get_cipher_name(ssl);
  co_return true;
}

using LoginResult = Result<LoginGrant, LoginError>;

// Runs log_in on the worker pool (Argon2id takes tens of milliseconds;
// the other sessions of this I/O thread go on meanwhile).
auto log_in_on_pool(ServerContext& ctx, SessionFsm::Credentials credentials) {
  return net::async_callback<LoginResult>([&ctx, c = std::move(credentials)](auto done) mutable {
    asio::post(ctx.workers, [&ctx, c = std::move(c), done = std::move(done)]() mutable {
      done(log_in(ctx.backend, ctx.locks, c.user, c.password));
    });
  });
}

awaitable<void> Session::login() {
  auto credentials = fsm_.take_credentials();
  auto user = credentials.user;
  auto result = co_await log_in_on_pool(*ctx_, std::move(credentials));
  if (!result) {
    if (result.error() == LoginError::bad_credentials) {
      ctx_->metrics.login_failures.inc();
      spdlog::info("pop3 {}: failed login as '{}'", label_, user);
      // Slows guessing without holding up anyone else.
      timer_.expires_after(ctx_->options.login_failure_delay);
      co_await timer_.async_wait(kToken);
    }
    fsm_.on_login_result(result.error());
    co_return;
  }
  ctx_->metrics.logins.inc();
  MaildropView view{result->maildrop->messages(), result->account.retention};
  grant_.emplace(std::move(*result));
  spdlog::debug("pop3 {}: '{}' logged in, {} messages", label_, user, view.messages.size());
  fsm_.on_login_result(std::move(view));
}

// Reads one message on the worker pool: a large blob is a long read.
auto content_on_pool(ServerContext& ctx, Maildrop& maildrop, std::size_t index) {
  return net::async_callback<Result<std::string>>([&ctx, &maildrop, index](auto done) mutable {
    asio::post(ctx.workers, [&maildrop, index, done = std::move(done)]() mutable {
      done(maildrop.content(index));
    });
  });
}

awaitable<void> Session::retrieve() {
  auto index = fsm_.retrieve_index();
  auto content = co_await content_on_pool(*ctx_, *grant_->maildrop, index);
  if (content) ctx_->metrics.messages_retrieved.inc();
  fsm_.on_retrieved(std::move(content));
}

auto remove_messages(Maildrop& maildrop, std::vector<std::size_t> indices) {
  return net::async_callback<Result<void>>([&maildrop, i = std::move(indices)](auto done) mutable {
    maildrop.remove(std::move(i), std::move(done));
  });
}

awaitable<void> Session::commit() {
  auto deletions = fsm_.deletions();
  auto count = deletions.size();
  auto result = co_await remove_messages(*grant_->maildrop, std::move(deletions));
  if (result) ctx_->metrics.messages_deleted.inc(count);
  fsm_.on_committed(result);
}

void Session::register_hooks() {
  ticket_.set_hooks(net::session_hooks(socket_.get_executor(), weak_from_this()));
}

void Session::end(const std::string& reason) {
  timer_.cancel();
  boost::system::error_code ignored;
  lowest().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().close(ignored);
  // The lock goes with the session, whatever ended it.
  grant_.reset();
  if (reason == "client sent QUIT") {
    spdlog::debug("pop3 {}: session ended: {}", label_, reason);
  } else {
    spdlog::info("pop3 {}: session ended: {}", label_, reason);
  }
}

}  // namespace

void start_session(std::shared_ptr<ServerContext> context, tcp::socket socket) {
  auto peer = net::peer_of(socket);
  if (!peer) {
    spdlog::debug("pop3: connection lost before it started: {}", peer.error().message());
    return;
  }
  auto ticket = context->table.admit(peer->address, false);
  if (ticket.verdict() == ConnectVerdict::accept) context->metrics.sessions_total.inc();
  auto executor = socket.get_executor();
  auto session = std::make_shared<Session>(std::move(context), std::move(socket), std::move(ticket),
                                           peer->label);
  net::spawn_session(executor, Session::run(std::move(session)), "pop3", peer->label);
}

}  // namespace postern::pop3
