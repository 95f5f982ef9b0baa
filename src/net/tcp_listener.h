// What every protocol server (SMTP, POP3, IMAP) does around its sessions:
// bind its listen addresses and accept, spreading the connections over the
// IoRuntime's contexts; name each peer; run each session coroutine with
// its exceptions logged; and at the end stop the sessions within a grace
// period. Includes Asio: only the servers' listener.cpp and session.cpp
// include it (compile time).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/metrics.h"
#include "net/io_runtime.h"
#include "net/proxy_options.h"
#include "net/session_table.h"

namespace postern::net {

class ProxyReceiver;
struct Peer;

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  using Accept = std::function<void(boost::asio::ip::tcp::socket)>;

  // Binds `listen` ("host:port", port 0 picks one) on io.context(0).
  // `name` starts the log lines ("smtp", "pop3"). Errors (logged):
  // invalid_argument for an address that is not address:port, or the
  // bind's error.
  static Result<std::shared_ptr<TcpListener>> bind(IoRuntime& io, const std::string& listen,
                                                   std::string name);

  std::uint16_t port() const;
  std::string address() const;  // the bound address, as text

  // Accepts until close(); each socket is on the next context of the
  // runtime, and `accept` runs on the listener's context.
  void start(Accept accept);
  // Stops accepting and waits (a short bound) for the accept loop to end.
  // Must not be called from an IoRuntime thread.
  void close();

 private:
  struct State;
  explicit TcpListener(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// A protocol server's listeners (one, or plain and implicit TLS): each
// bound, accepting and logged as it opens, and closed together with the
// sessions at the end.
class ServerListeners {
 public:
  // `name` starts the log lines ("imap").
  ServerListeners(IoRuntime& io, std::string name) : io_(io), name_(std::move(name)) {}
  // Closes what is still open.
  ~ServerListeners() { close(); }
  ServerListeners(const ServerListeners&) = delete;
  ServerListeners& operator=(const ServerListeners&) = delete;

  // A connection accepted, and its peer: the socket's, or on a PROXY
  // protocol listener the client its header names.
  using Accept = std::function<void(boost::asio::ip::tcp::socket, Peer)>;

  // Binds `listen` (TcpListener::bind, errors likewise), accepts into
  // `accept`, and logs "<name>: listening on <address> port <port><note>".
  // After use_proxy_protocol(), each connection's PROXY header is read
  // first (net/proxy_accept.h); those refused never reach `accept`.
  // Returns the bound port.
  Result<std::uint16_t> open(const std::string& listen, std::string_view note, Accept accept);
  // The listeners opened from now on read a PROXY header first, when
  // `options` enable it. Errors (logged): proxy_from is not a list of
  // networks (invalid_argument).
  Result<void> use_proxy_protocol(const ProxyProtocolOptions& options, MetricsRegistry& metrics);
  // Stops accepting on each listener (TcpListener::close).
  void close();
  // Stops accepting, then ends the sessions of `table` within `grace`
  // (stop_sessions). Must not be called from an IoRuntime thread.
  void stop(SessionTable& table, std::chrono::milliseconds grace);

 private:
  IoRuntime& io_;
  std::string name_;
  std::vector<std::shared_ptr<TcpListener>> listeners_;
  std::shared_ptr<const ProxyReceiver> proxy_;
};

// A server's end: asks every session to stop, closes those still open
// after `grace`, and waits a short bound for them to unwind. `name` starts
// the log lines.
void stop_sessions(SessionTable& table, std::chrono::milliseconds grace, std::string_view name);

// The peer of an accepted socket: its address (an IPv4-mapped IPv6 one as
// IPv4) and "address:port" (or "[v6]:port") for logs. Errors: the
// connection was lost before it started.
struct Peer {
  std::string address;
  std::string label;
  // Named by a PROXY header (net/proxy_accept.h): the address is the
  // proxy's client, never this machine, even when it is a loopback one
  // (a process on the proxy's host): nothing trusts it as loopback.
  bool proxied = false;
  // Loopback, and not proxied: a process on this machine.
  bool local() const { return !proxied && loopback_address(); }
  bool loopback_address() const;  // 127.0.0.0/8 or ::1, whoever named it
};
// The peer of an accepted socket, or nullopt when the connection was lost
// before it started (logged at debug level, with `name`).
std::optional<Peer> accepted_peer(const boost::asio::ip::tcp::socket& socket,
                                  std::string_view name);
Result<Peer> peer_of(const boost::asio::ip::tcp::socket& socket);
// The peer of textual `address` (already IPv4 when IPv4-mapped) and `port`.
Peer make_peer(std::string address, std::uint16_t port);

// Runs one session's coroutine on `executor`; an exception that ends it
// is logged with `name` and `label`, never thrown further.
void spawn_session(const boost::asio::any_io_executor& executor,
                   boost::asio::awaitable<void> session, std::string name, std::string label);

// The table hooks of a session object that has request_stop() (finish what
// is in progress, then say goodbye) and force_close() (close the socket
// now): each is posted to the session's executor and finds the session
// gone, or not, there.
template <class Session>
SessionTable::Hooks session_hooks(const boost::asio::any_io_executor& executor,
                                  std::weak_ptr<Session> weak) {
  SessionTable::Hooks hooks;
  hooks.request_stop = [weak, executor] {
    boost::asio::post(executor, [weak] {
      if (auto self = weak.lock()) self->request_stop();
    });
  };
  hooks.force_close = [weak, executor] {
    boost::asio::post(executor, [weak] {
      if (auto self = weak.lock()) self->force_close();
    });
  };
  return hooks;
}

}  // namespace postern::net
