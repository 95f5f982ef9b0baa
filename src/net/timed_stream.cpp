// TimedStream: see timed_stream.h.
// GCC 12 reports asio's coroutine frames as mismatched new/delete once
// inlined (GCC bug 109224): a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "net/timed_stream.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace postern::net {
namespace {

namespace asio = boost::asio;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

}  // namespace

TimedStream::TimedStream(asio::ip::tcp::socket socket)
    : socket_(std::move(socket)), timer_(socket_.get_executor()) {}

void TimedStream::arm(Duration limit) {
  interrupt_ = Interrupt::none;
  timer_.expires_after(limit);  // cancels the wait of the step before
  timer_.async_wait([this, owner = owner_](boost::system::error_code ec) {
    if (ec) return;
    if (auto alive = owner.lock()) {
      interrupt_ = Interrupt::deadline;
      boost::system::error_code ignored;
      lowest().cancel(ignored);
    }
  });
}

asio::awaitable<TimedStream::ReadResult> TimedStream::read_some(asio::mutable_buffer buffer,
                                                                Duration limit,
                                                                std::size_t& bytes) {
  arm(limit);
  reading_ = true;
  std::tuple<boost::system::error_code, std::size_t> result;
  if (tls_) {
    result = co_await tls_->async_read_some(buffer, kToken);
  } else {
    result = co_await socket_.async_read_some(buffer, kToken);
  }
  reading_ = false;
  timer_.cancel();
  auto [ec, n] = result;
  bytes = n;
  if (!ec) co_return ReadResult::data;
  auto interrupt = std::exchange(interrupt_, Interrupt::none);
  if (interrupt == Interrupt::deadline) co_return ReadResult::deadline;
  if (interrupt == Interrupt::stop) co_return ReadResult::stop;
  bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  failure_ = eof ? "client closed the connection" : "read failed: " + ec.message();
  co_return ReadResult::closed;
}

asio::awaitable<bool> TimedStream::write(asio::const_buffer buffer, Duration limit) {
  arm(limit);
  std::tuple<boost::system::error_code, std::size_t> result;
  if (tls_) {
    result = co_await asio::async_write(*tls_, buffer, kToken);
  } else {
    result = co_await asio::async_write(socket_, buffer, kToken);
  }
  timer_.cancel();
  auto [ec, n] = result;
  if (ec) {
    failure_ =
        interrupt_ == Interrupt::deadline ? "write timed out" : "write failed: " + ec.message();
  }
  co_return !ec;
}

asio::awaitable<bool> TimedStream::handshake(std::shared_ptr<asio::ssl::context> context,
                                             Duration limit) {
  tls_context_ = std::move(context);
  tls_.emplace(std::move(socket_), *tls_context_);
  arm(limit);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, kToken);
  timer_.cancel();
  if (ec) {
    failure_ = interrupt_ == Interrupt::deadline ? "timed out" : ec.message();
    co_return false;
  }
  SSL* ssl = tls_->native_handle();
  failure_ = std::string(SSL_get_version(ssl)) + " with cipher " + SSL_get_cipher_name(ssl);
  co_return true;
}

void TimedStream::interrupt_read() {
  if (!reading_) return;
  interrupt_ = Interrupt::stop;
  boost::system::error_code ignored;
  lowest().cancel(ignored);
}

void TimedStream::close() {
  timer_.cancel();
  boost::system::error_code ignored;
  lowest().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  lowest().close(ignored);
}

void TimedStream::force_close() {
  boost::system::error_code ignored;
  lowest().close(ignored);
}

}  // namespace postern::net
