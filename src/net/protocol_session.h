// The coroutine driver that every test-inbox protocol session (POP3, IMAP)
// runs around its sans-io SessionFsm. It admits the connection (or lets the
// protocol refuse it), does the handshake of an implicit-TLS listener, and
// then runs the FSM's steps: write what the FSM said, read with its
// deadline, upgrade to TLS in place (STLS, STARTTLS), deliver the server's
// stop at the next read, wait after a failed login, close. A protocol
// derives from it and answers only what is its own: how each event reaches
// its FSM, the actions only it has (a login, a store write, a message
// read), and which ends are routine. One net::TimedStream bounds every
// read, write and handshake. Errors a peer can cause never throw.
//
// Includes Asio: only the servers' session.cpp include it (compile time).
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "net/server_certificate.h"
#include "net/session_metrics.h"
#include "net/session_table.h"
#include "net/tcp_listener.h"
#include "net/timed_stream.h"

namespace postern::net {

class ProtocolSession : public std::enable_shared_from_this<ProtocolSession> {
 public:
  using Duration = TimedStream::Duration;

  // What a protocol's FSM asks for next, as the driver sees it: the
  // protocol's own actions are `perform`.
  enum class Step { read, flush, start_tls, perform, close };

  // What every session of one listener shares; the referenced objects
  // outlive the sessions (the protocol's session keeps its server's
  // context alive).
  struct Settings {
    std::string_view name;             // "imap", "pop3": starts the log lines
    ServerCertificate* tls = nullptr;  // the certificate, when one is loaded
    bool implicit_tls = false;         // the handshake first, then the greeting
    Duration handshake_timeout = std::chrono::seconds(60);
    // A long answer to a slow reader: each write gets this long.
    Duration write_timeout = std::chrono::minutes(10);
    // The wait before a failed login is answered (delay_failed_login).
    Duration login_failure_delay = std::chrono::seconds(1);
    SessionTable* table = nullptr;  // the connection limits
    SessionMetrics* metrics = nullptr;
  };

  virtual ~ProtocolSession();
  ProtocolSession(const ProtocolSession&) = delete;
  ProtocolSession& operator=(const ProtocolSession&) = delete;

  // Runs `session` on its socket's executor until it ends; an exception
  // that ends it is logged, never thrown further.
  static void spawn(std::shared_ptr<ProtocolSession> session);

  // The server is stopping (net::session_hooks): a read under way ends now
  // and the protocol's on_shutdown() runs at the next read; a write or an
  // action under way ends first.
  void request_stop();
  void force_close();

 protected:
  // Takes its place in settings.table (admit): the verdict reaches
  // on_refused() or on_connected() once the session runs.
  ProtocolSession(boost::asio::ip::tcp::socket socket, Peer peer, const Settings& settings);

  const std::string& label() const { return peer_.label; }  // "address:port" for logs
  TimedStream& stream() { return stream_; }
  // Waits Settings::login_failure_delay: it slows guessing without holding
  // up the other sessions of the thread.
  boost::asio::awaitable<void> delay_failed_login();

 private:
  // --- The protocol's part ---
  // Instead of the greeting: the connection is over a limit, or the server
  // is stopping.
  virtual void on_refused(ConnectVerdict verdict) = 0;
  virtual void on_connected() = 0;  // the greeting
  virtual Step next() = 0;
  virtual const std::string& output() const = 0;
  virtual void clear_output() = 0;
  virtual Duration read_limit() = 0;  // how long the next read may wait
  virtual void on_input(std::string_view bytes) = 0;
  virtual void on_deadline() = 0;  // the read waited read_limit() in vain
  virtual void on_input_closed(const std::string& failure) = 0;
  virtual void on_shutdown() = 0;
  virtual void on_tls_done(bool ok, const std::string& description) = 0;
  virtual boost::asio::awaitable<void> perform() = 0;   // Step::perform
  virtual const std::string& close_reason() const = 0;  // Step::close
  // A reason the session ends for in the normal course (logged at debug
  // level; others at info).
  virtual bool routine_end(const std::string& reason) const = 0;
  virtual void on_end() {}  // the connection is closed: release what it held

  static boost::asio::awaitable<void> run(std::shared_ptr<ProtocolSession> self);
  boost::asio::awaitable<void> serve();
  boost::asio::awaitable<void> read();
  boost::asio::awaitable<bool> write_output();
  boost::asio::awaitable<bool> handshake();
  void end(const std::string& reason);

  Settings settings_;
  Peer peer_;
  TimedStream stream_;
  boost::asio::steady_timer delay_;
  SessionTable::Ticket ticket_;
  bool stop_requested_ = false;
  bool stop_delivered_ = false;
  std::array<char, 16 * 1024> buffer_{};
};

// The settings of a server whose context has what POP3's and IMAP's have:
// tls, table, metrics.sessions, and options.login_timeout (the
// handshake's bound) and options.login_failure_delay.
template <class ServerContext>
ProtocolSession::Settings session_settings(std::string_view name, ServerContext& ctx) {
  ProtocolSession::Settings s;
  s.name = name;
  s.tls = ctx.tls.get();
  s.handshake_timeout = ctx.options.login_timeout;
  s.login_failure_delay = ctx.options.login_failure_delay;
  s.table = &ctx.table;
  s.metrics = &ctx.metrics.sessions;
  return s;
}

// A ProtocolSession over a sans-io SessionFsm of the common shape (next()
// with an Action that has read, flush, start_tls and close; output(),
// clear_output(), on_input(), on_shutdown(), on_tls_done(), close_reason()):
// the overrides that only forward to it. The protocol's own stay with the
// class that derives from this one.
template <class Fsm>
class FsmSession : public ProtocolSession {
 protected:
  // `args` make the FSM.
  template <class... Args>
  FsmSession(boost::asio::ip::tcp::socket socket, Peer peer, const Settings& settings,
             Args&&... args)
      : ProtocolSession(std::move(socket), std::move(peer), settings),
        fsm_(std::forward<Args>(args)...) {}

  Fsm fsm_;
  typename Fsm::Action action_ = Fsm::Action::read;  // the last next(): what perform() runs

  void on_input(std::string_view bytes) override { fsm_.on_input(bytes); }

 private:
  Step next() override {
    action_ = fsm_.next();
    if (action_ == Fsm::Action::read) return Step::read;
    if (action_ == Fsm::Action::flush) return Step::flush;
    if (action_ == Fsm::Action::start_tls) return Step::start_tls;
    if (action_ == Fsm::Action::close) return Step::close;
    return Step::perform;
  }
  const std::string& output() const override { return fsm_.output(); }
  void clear_output() override { fsm_.clear_output(); }
  void on_shutdown() override { fsm_.on_shutdown(); }
  void on_tls_done(bool ok, const std::string& description) override {
    fsm_.on_tls_done(ok, description);
  }
  const std::string& close_reason() const override { return fsm_.close_reason(); }
};

}  // namespace postern::net
