// The listener's side of the PROXY protocol (net/proxy_header.h): on a
// listener configured for it (net/proxy_options.h), the header is read
// before anything else, and the client it names becomes the connection's
// peer for everything that looks at it (limits, logs, Received headers,
// failed-login delays). A connection from outside proxy_from, or without a
// valid header within a bound, is closed, logged and counted
// (postern_proxy_protocol_refused_total{server,reason}).
//
// Includes Asio: only the servers' listener.cpp and http_server.cpp
// include it (compile time).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/metrics.h"
#include "net/network_list.h"
#include "net/proxy_options.h"
#include "net/tcp_listener.h"

namespace postern::net {

class ProxyReceiver {
 public:
  // A proxy sends the header at once: a connection that has not within
  // this long is not from one.
  static constexpr std::chrono::seconds kHeaderTimeout{10};

  // Null when `options` are not enabled. `name` ("smtp") starts the log
  // lines and labels the counter. Errors: proxy_from holds something that
  // is not a network (the configuration reader refuses it first).
  static Result<std::shared_ptr<const ProxyReceiver>, Problem> create(
      const ProxyProtocolOptions& options, std::string name, MetricsRegistry& metrics);

  // Reads the header from `socket`: the client it names, or the socket's
  // own peer for the proxy's own connections (LOCAL, UNKNOWN), always
  // marked proxied. nullopt: the socket is closed (logged and counted).
  boost::asio::awaitable<std::optional<Peer>> receive(boost::asio::ip::tcp::socket& socket) const;

  ProxyReceiver(NetworkList from, bool any_sender, std::string name, MetricsRegistry& metrics);

 private:
  void refuse(boost::asio::ip::tcp::socket& socket, const Peer& peer, Counter& counter,
              const std::string& why) const;

  NetworkList from_;
  bool any_sender_;
  std::string name_;
  Counter& not_allowed_;
  Counter& invalid_;
  Counter& timeout_;
  Counter& closed_;
};

}  // namespace postern::net
