// The IMAP part of a session's driver (net::ProtocolSession runs the
// loop): feeds the SessionFsm its events, and performs its own actions:
// login checks run on the worker pool, store writes run through the
// store's completions; both resume here, on the session's own executor
// (net::async_callback). In IDLE the read is cut short to poll the store.
// GCC 12 reports asio's coroutine frames, allocated and freed by the
// frame's own operator new and delete, as mismatched once this file's
// coroutines are inlined into one another (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "imap/server/server_context.h"
#include "net/async_callback.h"
#include "net/protocol_session.h"

namespace postern::imap {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

// IDLE (RFC 2177) pushes what other sessions and processes change in the
// mailbox. The store has no change notification that reaches every
// process (cluster mode, the CLI), so an idling session asks it this often
// (changes_since: one indexed read when nothing changed).
constexpr std::chrono::seconds kIdlePoll{2};

class Session final : public net::FsmSession<SessionFsm> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, tcp::socket socket, net::Peer peer, PeerInfo info,
          const Settings& settings)
      : FsmSession(std::move(socket), std::move(peer), settings, ctx->policy, std::move(info),
                   ctx->store, ctx->recent, ctx->clock),
        ctx_(std::move(ctx)) {}

 private:
  void on_refused(net::ConnectVerdict verdict) override {
    fsm_.on_refused(verdict == net::ConnectVerdict::too_many_connections
                        ? "[UNAVAILABLE] Too many connections; try again later."
                        : "[UNAVAILABLE] Server shutting down.");
  }
  void on_connected() override { fsm_.on_connected(); }
  Duration read_limit() override;
  void on_input(std::string_view bytes) override {
    silent_since_ = {};
    fsm_.on_input(bytes);
  }
  void on_deadline() override;
  void on_input_closed(const std::string& failure) override {
    spdlog::debug("imap {}: {}", label(), failure);
    fsm_.on_input_closed();
  }
  awaitable<void> perform() override;
  bool routine_end(const std::string& reason) const override {
    return reason == "logout" || reason == "connection closed by client";
  }

  awaitable<void> check_login();
  awaitable<void> store_call();

  std::shared_ptr<ServerContext> ctx_;
  // In IDLE: when the client last sent something, and whether the read under
  // way ends for a poll of the store rather than for the idle limit.
  std::chrono::steady_clock::time_point silent_since_{};
  bool poll_due_ = false;
};

awaitable<void> Session::perform() {
  if (action_ == SessionFsm::Action::check_login) {
    co_await check_login();
  } else {
    co_await store_call();
  }
}

void Session::on_deadline() {
  if (poll_due_) {
    fsm_.on_mailbox_changed();
    return;
  }
  ctx_->metrics.idle_timeouts.inc();
  fsm_.on_idle_timeout();
}

// The idle limit, or in IDLE the time to the next poll of the store
// (poll_due_ says which).
net::TimedStream::Duration Session::read_limit() {
  using Clock = std::chrono::steady_clock;
  Duration limit = fsm_.idle_timeout();
  poll_due_ = false;
  if (!fsm_.idling()) {
    silent_since_ = {};
    return limit;
  }
  // The client's silence counts from the start of IDLE, across polls.
  auto now = Clock::now();
  if (silent_since_ == Clock::time_point{}) silent_since_ = now;
  auto left = silent_since_ + limit - now;
  if (left <= kIdlePoll) return std::max(left, Duration::zero());
  poll_due_ = true;
  return kIdlePoll;
}

// Runs on the worker pool: Argon2id takes tens of milliseconds, and the
// other sessions of this I/O thread go on meanwhile.
awaitable<void> Session::check_login() {
  auto request = fsm_.take_login();
  auto user = request.user;
  auto check = [&logins = ctx_->logins, r = std::move(request)] {
    return logins.verify_login(r.user, r.password);
  };
  auto result =
      co_await net::async_run<Result<store::InboxAccount>>(ctx_->workers, std::move(check));
  if (result) {
    ctx_->metrics.sessions.logins.inc();
    spdlog::debug("imap {}: '{}' logged in", label(), user);
  } else if (result.error() == Errc::not_found) {
    ctx_->metrics.sessions.login_failures.inc();
    spdlog::info("imap {}: failed login as '{}'", label(), user);
    co_await delay_failed_login();
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

}  // namespace

void start_session(std::shared_ptr<ServerContext> context, tcp::socket socket, net::Peer peer,
                   bool implicit_tls) {
  PeerInfo info{peer.address, peer.local(), implicit_tls};
  const auto& settings = implicit_tls ? context->implicit_tls_settings : context->settings;
  net::ProtocolSession::spawn(std::make_shared<Session>(
      std::move(context), std::move(socket), std::move(peer), std::move(info), settings));
}

}  // namespace postern::imap
