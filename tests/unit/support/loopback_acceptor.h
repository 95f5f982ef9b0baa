// What the tests' scripted servers share: an io_context run by a thread of
// its own, an acceptor on 127.0.0.1 (an ephemeral port) that numbers the
// connections it takes (1, 2, ...), and, given a certificate and key, the
// TLS server context their sessions may wrap a connection in.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace postern::test {

class LoopbackAcceptor {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket, std::size_t index)>;

  // Listens at once; accepts only after start(). Empty PEMs: no TLS.
  LoopbackAcceptor(const std::string& cert_pem, const std::string& key_pem);
  // Stops the thread; pending sessions are dropped with the io_context.
  ~LoopbackAcceptor();
  LoopbackAcceptor(const LoopbackAcceptor&) = delete;
  LoopbackAcceptor& operator=(const LoopbackAcceptor&) = delete;

  // Hands each accepted connection to `on_accept`, on the thread.
  void start(OnAccept on_accept);
  void stop();

  boost::asio::io_context& io() { return io_; }
  boost::asio::ssl::context* tls() const { return tls_.get(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t accepted() const { return accepted_.load(); }

 private:
  boost::asio::awaitable<void> accept_loop(OnAccept on_accept);

  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::atomic<std::size_t> accepted_{0};
  std::thread thread_;
};

}  // namespace postern::test
