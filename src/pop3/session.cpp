// The thin coroutine driver of one POP3 session: reads with a deadline,
// feeds the SessionFsm, writes its responses, and performs its actions
// (STLS swaps the stream in place; logins and message reads run on the
// worker pool and resume here; the commit at QUIT goes to the Backend).
// Errors a peer can cause never throw.
//
// net::TimedStream bounds every read, write and handshake.
// GCC 12 reports asio's coroutine frames, allocated and freed by the
// frame's own operator new and delete, as mismatched once this file's
// coroutines are inlined into one another (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/async_callback.h"
#include "net/tcp_listener.h"
#include "net/timed_stream.h"
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
        stream_(std::move(socket)),
        delay_(stream_.executor()),
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
    stream_.interrupt_read();
  }
  void force_close() { stream_.force_close(); }

 private:
  awaitable<void> serve();
  awaitable<void> read();
  awaitable<bool> write_output();
  awaitable<bool> handshake();
  awaitable<void> login();
  awaitable<void> retrieve();
  awaitable<void> commit();
  void register_hooks();
  void end(const std::string& reason);

  std::shared_ptr<ServerContext> ctx_;
  net::TimedStream stream_;
  asio::steady_timer delay_;  // the wait before a failed login is answered
  net::SessionTable::Ticket ticket_;
  std::string label_;  // "address:port" for logs
  SessionFsm fsm_;
  std::optional<LoginGrant> grant_;  // the account's lock and maildrop, once logged in
  bool stop_requested_ = false;
  bool stop_delivered_ = false;
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
      fsm_.on_input_closed(stream_.failure());
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
        fsm_.on_tls_done(ok, ok ? stream_.description() : stream_.failure());
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

awaitable<void> Session::read() {
  std::size_t n = 0;
  auto result = co_await stream_.read_some(asio::buffer(buffer_), fsm_.idle_timeout(), n);
  using R = net::TimedStream::ReadResult;
  if (result == R::data) {
    fsm_.on_input(std::string_view(buffer_.data(), n));
  } else if (result == R::deadline) {
    fsm_.on_idle_timeout();
  } else if (result == R::closed) {
    fsm_.on_input_closed(stream_.failure());
  }  // R::stop: stop_requested_ is seen at the next read
}

awaitable<bool> Session::write_output() {
  // A client that stops reading must not hold the session forever.
  bool ok = co_await stream_.write(asio::buffer(fsm_.output()), kWriteTimeout);
  fsm_.clear_output();
  co_return ok;
}

awaitable<bool> Session::handshake() {
  co_return co_await stream_.handshake(*ctx_->tls, ctx_->options.login_timeout);
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
      delay_.expires_after(ctx_->options.login_failure_delay);
      co_await delay_.async_wait(kToken);
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
  stream_.set_owner(weak_from_this());
  ticket_.set_hooks(net::session_hooks(stream_.executor(), weak_from_this()));
}

void Session::end(const std::string& reason) {
  delay_.cancel();
  stream_.close();
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
