#include "providers/smtp/smtp_provider.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <mutex>

#include "net/io_runtime.h"
#include "providers/common/message_parts.h"
#include "providers/smtp/smtp_session.h"

namespace postern::providers::smtp {

struct SmtpRelayProvider::Shared {
  Shared(SmtpRelaySettings s, std::shared_ptr<net::ClientTlsContext> t)
      : settings(std::make_shared<const SmtpRelaySettings>(std::move(s))), tls(std::move(t)) {}

  struct Idle {
    std::unique_ptr<SmtpSession> session;
    std::chrono::steady_clock::time_point since;
  };

  // The most recently used idle session; expired ones are closed.
  std::unique_ptr<SmtpSession> take() {
    std::vector<std::unique_ptr<SmtpSession>> expired;
    std::unique_ptr<SmtpSession> found;
    {
      std::lock_guard lock(mu);
      auto cutoff = std::chrono::steady_clock::now() - settings->idle_expiry;
      while (!idle.empty() && idle.front().since < cutoff) {
        expired.push_back(std::move(idle.front().session));
        idle.pop_front();
      }
      if (!idle.empty()) {
        found = std::move(idle.back().session);
        idle.pop_back();
      }
    }
    for (auto& s : expired) close(std::move(s));
    return found;
  }

  void release(std::unique_ptr<SmtpSession> session) {
    if (auto limit = session->capabilities().size_limit; limit > 0) advertised_size.store(limit);
    {
      std::lock_guard lock(mu);
      if (!closed && idle.size() < settings->pool_size) {
        idle.push_back({std::move(session), std::chrono::steady_clock::now()});
        return;
      }
    }
    close(std::move(session));
  }

  // QUIT on the session's own thread, then close.
  static void close(std::unique_ptr<SmtpSession> session) {
    auto executor = session->executor();
    asio::co_spawn(executor, quit_and_close(std::move(session)), asio::detached);
  }
  static asio::awaitable<void> quit_and_close(std::unique_ptr<SmtpSession> session) {
    co_await session->quit();
  }

  void close_all() {
    std::deque<Idle> gone;
    {
      std::lock_guard lock(mu);
      closed = true;
      gone.swap(idle);
    }
    for (auto& i : gone) close(std::move(i.session));
  }

  const std::shared_ptr<const SmtpRelaySettings> settings;  // shared with every session
  const std::shared_ptr<net::ClientTlsContext> tls;
  std::atomic<std::size_t> advertised_size{0};
  std::mutex mu;
  std::deque<Idle> idle;  // guarded by mu
  bool closed = false;    // guarded by mu
};

namespace {

using Shared = SmtpRelayProvider::Shared;

std::chrono::microseconds since(const Clock& clock, SteadyTime start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock.steady_now() - start);
}

// A pooled session if one still answers RSET, else a new one.
asio::awaitable<std::unique_ptr<SmtpSession>> session_for(Shared& shared,
                                                          std::unique_ptr<SmtpSession> pooled,
                                                          std::optional<SmtpFailure>& failure) {
  if (pooled) {
    bool alive = co_await pooled->reset();
    if (alive) co_return pooled;
    pooled.reset();  // stale: the relay closed it while idle
  }
  auto session = co_await SmtpSession::open(shared.settings, *shared.tls, failure);
  if (session && session->capabilities().size_limit > 0)
    shared.advertised_size.store(session->capabilities().size_limit);
  co_return session;
}

asio::awaitable<void> deliver(std::shared_ptr<Shared> shared,
                              std::shared_ptr<const OutboundMessage> message,
                              std::unique_ptr<SmtpSession> pooled, const Clock& clock,
                              std::function<void(SendResult)> done) {
  auto start = clock.steady_now();
  auto finish = [&](SendResult r) {
    r.latency = since(clock, start);
    done(std::move(r));
  };
  auto mime = message->mime();
  if (!mime) {
    if (pooled) shared->release(std::move(pooled));
    finish(common::unreadable_message(mime.error()));
    co_return;
  }
  SmtpTransaction tx;
  tx.envelope = &message->envelope();
  tx.message = **mime;
  tx.message_size = (*mime)->size();
  tx.eight_bit = std::any_of((*mime)->begin(), (*mime)->end(),
                             [](char c) { return static_cast<unsigned char>(c) >= 0x80; });

  std::optional<SmtpFailure> failure;
  auto session = co_await session_for(*shared, std::move(pooled), failure);
  if (!session) {
    finish(classify_smtp_failure(*failure));
    co_return;
  }
  auto outcome = co_await session->transact(tx);
  if (session->usable()) shared->release(std::move(session));
  finish(classify_smtp_transaction(outcome));
}

asio::awaitable<void> run_probe(std::shared_ptr<Shared> shared, std::unique_ptr<SmtpSession> pooled,
                                const Clock& clock, std::function<void(ProbeResult)> done) {
  auto start = clock.steady_now();
  std::optional<SmtpFailure> failure;
  // (No co_await inside a conditional expression: GCC 12 miscompiles it.)
  std::unique_ptr<SmtpSession> session;
  if (pooled) {
    bool alive = co_await pooled->noop();
    if (alive) session = std::move(pooled);
  }
  if (!session) session = co_await SmtpSession::open(shared->settings, *shared->tls, failure);
  if (session) shared->release(std::move(session));  // a warm session for the next send
  auto result = classify_smtp_probe(failure);
  result.latency = since(clock, start);
  done(std::move(result));
}

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("smtp relay: coroutine failed: {}", ex.what());
  } catch (...) {
    spdlog::error("smtp relay: coroutine failed");
  }
}

}  // namespace

Result<std::unique_ptr<SmtpRelayProvider>, Problem> SmtpRelayProvider::create(
    std::string name, SmtpRelaySettings settings, ProviderContext& context) {
  auto tls = net::ClientTlsContext::create(settings.tls_options);
  if (!tls) return tls.error();
  auto shared = std::make_shared<Shared>(std::move(settings), std::move(*tls));
  return std::unique_ptr<SmtpRelayProvider>(
      new SmtpRelayProvider(std::move(name), std::move(shared), context));
}

SmtpRelayProvider::SmtpRelayProvider(std::string name, std::shared_ptr<Shared> shared,
                                     ProviderContext& context)
    : name_(std::move(name)), shared_(std::move(shared)), io_(context.io), clock_(context.clock) {}

SmtpRelayProvider::~SmtpRelayProvider() { shared_->close_all(); }

void SmtpRelayProvider::send(std::shared_ptr<const OutboundMessage> message,
                             std::function<void(SendResult)> done) {
  auto pooled = shared_->take();
  asio::any_io_executor executor = pooled ? pooled->executor() : io_.next().get_executor();
  asio::co_spawn(executor,
                 deliver(shared_, std::move(message), std::move(pooled), clock_, std::move(done)),
                 log_exception);
}

void SmtpRelayProvider::probe(std::function<void(ProbeResult)> done) {
  auto pooled = shared_->take();
  asio::any_io_executor executor = pooled ? pooled->executor() : io_.next().get_executor();
  asio::co_spawn(executor, run_probe(shared_, std::move(pooled), clock_, std::move(done)),
                 log_exception);
}

std::size_t SmtpRelayProvider::max_message_bytes() const {
  return shared_->settings->max_message_bytes > 0 ? shared_->settings->max_message_bytes
                                                  : shared_->advertised_size.load();
}

std::size_t SmtpRelayProvider::max_recipients() const { return shared_->settings->max_recipients; }

}  // namespace postern::providers::smtp
