// The thin coroutine driver of one SMTP session: reads with deadlines, feeds
// the SessionFsm, writes its replies, and performs its actions (STARTTLS
// swaps the stream in place, credential checks and the durable store run
// elsewhere and resume here). Errors a peer can cause never throw.
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "smtp/server_context.h"

namespace postern::smtp {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, tcp::socket socket, SessionTable::Ticket ticket,
          PeerInfo peer, std::string label)
      : ctx_(std::move(ctx)),
        socket_(std::move(socket)),
        deadline_(socket_.get_executor()),
        wake_(socket_.get_executor(), Clock::time_point::max()),
        ticket_(std::move(ticket)),
        peer_(std::move(peer)),
        label_(std::move(label)),
        session_deadline_(Clock::now() + ctx_->options.session_timeout) {
    ctx_->metrics.sessions_active.add(1);
  }
  ~Session() { ctx_->metrics.sessions_active.add(-1); }

  // The coroutine takes the session by value: the frame keeps it alive.
  static awaitable<void> run(std::shared_ptr<Session> self) { co_await self->serve(); }

 private:
  enum class ReadOutcome { data, closed, idle_timeout, session_timeout, woken };
  struct ReadResult {
    ReadOutcome outcome;
    std::size_t bytes = 0;
    std::string error;
  };

  awaitable<void> serve();
  awaitable<ReadResult> read_some();
  awaitable<bool> write_output();
  awaitable<bool> handshake();
  awaitable<std::optional<auth::Principal>> check_credentials(Credentials credentials);
  awaitable<Result<store::EnqueueResult>> submit(store::NewMessage message);
  void register_hooks();
  void end(const std::string& reason);
  tcp::socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  std::shared_ptr<ServerContext> ctx_;
  tcp::socket socket_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  asio::steady_timer deadline_;
  asio::steady_timer wake_;  // cancelled to interrupt a read at shutdown
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

awaitable<Session::ReadResult> Session::read_some() {
  auto idle_deadline = Clock::now() + ctx_->options.idle_timeout;
  bool session_limit = session_deadline_ <= idle_deadline;
  deadline_.expires_at(session_limit ? session_deadline_ : idle_deadline);
  auto buffer = asio::buffer(buffer_);
  auto read =
      tls_ ? tls_->async_read_some(buffer, kToken) : socket_.async_read_some(buffer, kToken);
  auto result =
      co_await (std::move(read) || deadline_.async_wait(kToken) || wake_.async_wait(kToken));
  switch (result.index()) {
    case 0: {
      auto [ec, n] = std::get<0>(result);
      if (!ec) co_return ReadResult{ReadOutcome::data, n, {}};
      if (forced_) break;
      bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      co_return ReadResult{ReadOutcome::closed, 0,
                           eof ? "client closed the connection" : "read failed: " + ec.message()};
    }
    case 1: {
      auto [timer_ec] = std::get<1>(result);
      if (forced_ || timer_ec) break;  // only force_close cancels the deadline
      co_return ReadResult{
          session_limit ? ReadOutcome::session_timeout : ReadOutcome::idle_timeout, 0, {}};
    }
    default:
      co_return ReadResult{ReadOutcome::woken, 0, {}};
  }
  co_return ReadResult{ReadOutcome::closed, 0, "closed by the server: grace period over"};
}

awaitable<bool> Session::write_output() {
  // A client that stops reading must not hold the session forever.
  deadline_.expires_after(ctx_->options.idle_timeout);
  auto buffer = asio::buffer(fsm_->output());
  auto write =
      tls_ ? asio::async_write(*tls_, buffer, kToken) : asio::async_write(socket_, buffer, kToken);
  auto result = co_await (std::move(write) || deadline_.async_wait(kToken));
  fsm_->clear_output();
  if (result.index() == 1) {
    failure_ = "write timed out";
    co_return false;
  }
  auto [ec, n] = std::get<0>(result);
  if (ec) failure_ = "write failed: " + ec.message();
  co_return !ec;
}

awaitable<bool> Session::handshake() {
  tls_.emplace(std::move(socket_), *ctx_->tls);
  deadline_.expires_after(ctx_->options.idle_timeout);
  auto result = co_await (tls_->async_handshake(asio::ssl::stream_base::server, kToken) ||
                          deadline_.async_wait(kToken));
  if (result.index() == 1) {
    failure_ = "timed out";
    co_return false;
  }
  auto [ec] = std::get<0>(result);
  if (ec) {
    failure_ = ec.message();
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
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::optional<auth::Principal>)>(
      [pool = ctx_->auth_pool.get_executor(), &authenticator = ctx_->authenticator](auto handler,
                                                                                    Credentials c) {
        asio::post(
            pool, [&authenticator, handler = std::move(handler), c = std::move(c)]() mutable {
              auto principal = authenticator.authenticate_login(c.user, c.password);
              auto home = asio::get_associated_executor(handler);
              asio::dispatch(
                  home, [handler = std::move(handler), principal = std::move(principal)]() mutable {
                    std::move(handler)(std::move(principal));
                  });
            });
      },
      asio::use_awaitable, std::move(credentials));
}

awaitable<Result<store::EnqueueResult>> Session::submit(store::NewMessage message) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<store::EnqueueResult>)>(
      [&intake = ctx_->intake](auto handler, store::NewMessage m) {
        // The completion runs on the store's writer thread (or inline):
        // post back to this session's executor. store::Completion is a
        // std::function, which needs a copyable callable, hence shared_ptr.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        intake.submit(std::move(m), [shared](Result<store::EnqueueResult> r) {
          auto home = asio::get_associated_executor(*shared);
          asio::post(home,
                     [shared, r = std::move(r)]() mutable { std::move (*shared)(std::move(r)); });
        });
      },
      asio::use_awaitable, std::move(message));
}

void Session::register_hooks() {
  auto executor = socket_.get_executor();
  std::weak_ptr<Session> weak = weak_from_this();
  SessionTable::Hooks hooks;
  hooks.request_stop = [weak, executor] {
    asio::post(executor, [weak] {
      if (auto self = weak.lock()) {
        self->stop_requested_ = true;
        self->wake_.cancel();
      }
    });
  };
  hooks.force_close = [weak, executor] {
    asio::post(executor, [weak] {
      if (auto self = weak.lock()) {
        boost::system::error_code ignored;
        self->forced_ = true;
        self->lowest().close(ignored);
        self->deadline_.cancel();
        self->wake_.cancel();
      }
    });
  };
  ticket_.set_hooks(std::move(hooks));
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

void start_session(std::shared_ptr<ServerContext> context, tcp::socket socket) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) {
    spdlog::debug("smtp: connection lost before it started: {}", ec.message());
    return;
  }
  auto address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  PeerInfo peer;
  peer.address = address.to_string();
  peer.trusted = context->trusted.contains(peer.address);
  auto label = (address.is_v6() ? "[" + peer.address + "]" : peer.address) + ":" +
               std::to_string(remote.port());
  auto ticket = context->table.admit(peer.address, peer.trusted);
  if (ticket.verdict() == ConnectVerdict::accept) context->metrics.sessions_total.inc();
  auto executor = socket.get_executor();
  auto session = std::make_shared<Session>(std::move(context), std::move(socket), std::move(ticket),
                                           std::move(peer), label);
  asio::co_spawn(executor, Session::run(std::move(session)), [label](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("smtp {}: session ended by an exception: {}", label, ex.what());
    } catch (...) {
      spdlog::error("smtp {}: session ended by an unknown exception", label);
    }
  });
}

}  // namespace postern::smtp
