// ProtocolSession: see protocol_session.h.
// GCC 12 reports asio's coroutine frames, allocated and freed by the
// frame's own operator new and delete, as mismatched once this file's
// coroutines are inlined into one another (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "net/protocol_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace postern::net {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

}  // namespace

ProtocolSession::ProtocolSession(asio::ip::tcp::socket socket, Peer peer, const Settings& settings)
    : settings_(settings),
      peer_(std::move(peer)),
      stream_(std::move(socket)),
      delay_(stream_.executor()),
      ticket_(settings_.table->admit(peer_.address, false)) {
  if (ticket_.verdict() == ConnectVerdict::accept) settings_.metrics->sessions_total.inc();
  settings_.metrics->sessions_active.add(1);
}

ProtocolSession::~ProtocolSession() { settings_.metrics->sessions_active.add(-1); }

void ProtocolSession::spawn(std::shared_ptr<ProtocolSession> session) {
  auto executor = session->stream_.executor();
  std::string name(session->settings_.name);
  std::string label = session->label();
  spawn_session(executor, run(std::move(session)), std::move(name), std::move(label));
}

// The coroutine takes the session by value: the frame keeps it alive.
awaitable<void> ProtocolSession::run(std::shared_ptr<ProtocolSession> self) {
  co_await self->serve();
}

void ProtocolSession::request_stop() {
  stop_requested_ = true;
  stream_.interrupt_read();
}

void ProtocolSession::force_close() { stream_.force_close(); }

awaitable<void> ProtocolSession::serve() {
  stream_.set_owner(weak_from_this());
  ticket_.set_hooks(session_hooks(stream_.executor(), weak_from_this()));
  if (auto verdict = ticket_.verdict(); verdict != ConnectVerdict::accept) {
    settings_.metrics->connections_refused.inc();
    on_refused(verdict);
  } else {
    // With implicit TLS the greeting comes after the handshake.
    if (settings_.implicit_tls && !co_await handshake()) {
      end("TLS handshake failed: " + stream_.failure());
      co_return;
    }
    on_connected();
  }
  for (;;) {
    auto step = next();
    if (!output().empty() && !co_await write_output()) {
      end(stream_.failure());
      co_return;
    }
    switch (step) {
      case Step::flush:
        break;
      case Step::read:
        if (stop_requested_ && !stop_delivered_) {
          stop_delivered_ = true;
          on_shutdown();
          break;
        }
        co_await read();
        break;
      case Step::start_tls: {
        bool ok = co_await handshake();
        on_tls_done(ok, stream_.failure());
        break;
      }
      case Step::perform:
        co_await perform();
        break;
      case Step::close:
        end(close_reason());
        co_return;
    }
  }
}

awaitable<void> ProtocolSession::read() {
  std::size_t n = 0;
  auto result = co_await stream_.read_some(asio::buffer(buffer_), read_limit(), n);
  using R = TimedStream::ReadResult;
  if (result == R::data) {
    on_input(std::string_view(buffer_.data(), n));
  } else if (result == R::deadline) {
    on_deadline();
  } else if (result == R::closed) {
    on_input_closed(stream_.failure());
  }  // R::stop: stop_requested_ is seen at the next read
}

awaitable<bool> ProtocolSession::write_output() {
  // A client that stops reading must not hold the session forever.
  bool ok = co_await stream_.write(asio::buffer(output()), settings_.write_timeout);
  clear_output();
  co_return ok;
}

awaitable<bool> ProtocolSession::handshake() {
  bool ok = co_await stream_.handshake(settings_.tls->current(), settings_.handshake_timeout);
  if (ok) spdlog::debug("{} {}: {}", settings_.name, label(), stream_.description());
  co_return ok;
}

awaitable<void> ProtocolSession::delay_failed_login() {
  delay_.expires_after(settings_.login_failure_delay);
  co_await delay_.async_wait(asio::as_tuple(asio::use_awaitable));
}

void ProtocolSession::end(const std::string& reason) {
  delay_.cancel();
  stream_.close();
  on_end();
  if (routine_end(reason)) {
    spdlog::debug("{} {}: session ended: {}", settings_.name, label(), reason);
  } else {
    spdlog::info("{} {}: session ended: {}", settings_.name, label(), reason);
  }
}

}  // namespace postern::net
