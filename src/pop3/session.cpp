// The POP3 part of a session's driver (net::ProtocolSession runs the
// loop): feeds the SessionFsm its events, and performs its own actions:
// logins and message reads run on the worker pool and resume here; the
// commit at QUIT goes to the Backend. The session holds the account's
// maildrop lock from login to its end.
// GCC 12 reports asio's coroutine frames, allocated and freed by the
// frame's own operator new and delete, as mismatched once this file's
// coroutines are inlined into one another (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <spdlog/spdlog.h>

#include <boost/asio/use_awaitable.hpp>

#include "net/async_callback.h"
#include "net/protocol_session.h"
#include "pop3/login.h"
#include "pop3/server_context.h"

namespace postern::pop3 {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

class Session final : public net::FsmSession<SessionFsm> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, tcp::socket socket, net::Peer peer)
      : FsmSession(std::move(socket), std::move(peer), ctx->settings, ctx->policy),
        ctx_(std::move(ctx)) {}

 private:
  void on_refused(ConnectVerdict verdict) override { fsm_.on_connected(verdict); }
  void on_connected() override { fsm_.on_connected(ConnectVerdict::accept); }
  Duration read_limit() override { return fsm_.idle_timeout(); }
  void on_deadline() override { fsm_.on_idle_timeout(); }
  void on_input_closed(const std::string& failure) override { fsm_.on_input_closed(failure); }
  awaitable<void> perform() override;
  bool routine_end(const std::string& reason) const override {
    return reason == "client sent QUIT";
  }
  // The lock goes with the session, whatever ended it.
  void on_end() override { grant_.reset(); }

  awaitable<void> login();
  awaitable<void> retrieve();
  awaitable<void> commit();

  std::shared_ptr<ServerContext> ctx_;
  std::optional<LoginGrant> grant_;  // the account's lock and maildrop, once logged in
};

awaitable<void> Session::perform() {
  if (action_ == SessionFsm::Action::login) {
    co_await login();
  } else if (action_ == SessionFsm::Action::retrieve) {
    co_await retrieve();
  } else {
    co_await commit();
  }
}

// log_in runs on the worker pool: Argon2id takes tens of milliseconds, and
// the other sessions of this I/O thread go on meanwhile.
awaitable<void> Session::login() {
  auto credentials = fsm_.take_credentials();
  auto user = credentials.user;
  auto check = [&ctx = *ctx_, c = std::move(credentials)] {
    return log_in(ctx.backend, ctx.locks, c.user, c.password);
  };
  auto result =
      co_await net::async_run<Result<LoginGrant, LoginError>>(ctx_->workers, std::move(check));
  if (!result) {
    if (result.error() == LoginError::bad_credentials) {
      ctx_->metrics.sessions.login_failures.inc();
      spdlog::info("pop3 {}: failed login as '{}'", label(), user);
      co_await delay_failed_login();
    }
    fsm_.on_login_result(result.error());
    co_return;
  }
  ctx_->metrics.sessions.logins.inc();
  MaildropView view{result->maildrop->messages(), result->account.retention};
  grant_.emplace(std::move(*result));
  spdlog::debug("pop3 {}: '{}' logged in, {} messages", label(), user, view.messages.size());
  fsm_.on_login_result(std::move(view));
}

// Reads one message on the worker pool: a large blob is a long read.
awaitable<void> Session::retrieve() {
  auto read = [&maildrop = *grant_->maildrop, index = fsm_.retrieve_index()] {
    return maildrop.content(index);
  };
  auto content = co_await net::async_run<Result<std::string>>(ctx_->workers, std::move(read));
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

}  // namespace

void start_session(std::shared_ptr<ServerContext> context, tcp::socket socket, net::Peer peer) {
  net::ProtocolSession::spawn(
      std::make_shared<Session>(std::move(context), std::move(socket), std::move(peer)));
}

}  // namespace postern::pop3
