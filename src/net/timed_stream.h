// A protocol session's connection (POP3, IMAP): the TCP socket, the TLS
// stream once STLS/STARTTLS or implicit TLS began, and one timer that
// bounds every read, write and handshake: set before each step and, when
// it fires first, it cancels the socket. Includes Asio: only the servers'
// session.cpp include it (compile time).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

namespace postern::net {

class TimedStream {
 public:
  using Duration = std::chrono::steady_clock::duration;
  // Why the last step ended early.
  enum class Interrupt { none, deadline, stop };
  enum class ReadResult { data, deadline, stop, closed };

  explicit TimedStream(boost::asio::ip::tcp::socket socket);
  // What keeps the stream alive (the session that holds it), before the
  // first step: the timer's handler finds it gone, or not.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  // Reads some bytes into `buffer` within `limit`; `bytes` says how many.
  // closed: the peer closed or the read failed (failure() says how).
  boost::asio::awaitable<ReadResult> read_some(boost::asio::mutable_buffer buffer, Duration limit,
                                               std::size_t& bytes);
  // Writes all of `buffer` within `limit`; false with failure() set.
  boost::asio::awaitable<bool> write(boost::asio::const_buffer buffer, Duration limit);
  // The server side of a TLS handshake within `limit`, with `context`
  // (held for the stream's life: a reload does not touch it); true with
  // description() ("TLSv1.3 with cipher ..."), false with failure().
  boost::asio::awaitable<bool> handshake(std::shared_ptr<boost::asio::ssl::context> context,
                                         Duration limit);

  // A read under way ends now with ReadResult::stop (the server stops).
  void interrupt_read();
  void cancel_timer() { timer_.cancel(); }
  void close();        // shutdown and close, now
  void force_close();  // close, now
  const std::string& failure() const { return failure_; }
  const std::string& description() const { return failure_; }
  boost::asio::any_io_executor executor() { return timer_.get_executor(); }

 private:
  void arm(Duration limit);
  boost::asio::ip::tcp::socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;  // outlives tls_
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  boost::asio::steady_timer timer_;
  std::weak_ptr<void> owner_;
  Interrupt interrupt_ = Interrupt::none;
  bool reading_ = false;
  std::string failure_;
};

}  // namespace postern::net
