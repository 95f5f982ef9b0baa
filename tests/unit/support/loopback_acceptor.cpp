#include "support/loopback_acceptor.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace postern::test {

namespace asio = boost::asio;
using asio::ip::tcp;

LoopbackAcceptor::LoopbackAcceptor(const std::string& cert_pem, const std::string& key_pem) {
  if (!cert_pem.empty()) {
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls_->use_certificate_chain(asio::buffer(cert_pem));
    tls_->use_private_key(asio::buffer(key_pem), asio::ssl::context::pem);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

LoopbackAcceptor::~LoopbackAcceptor() { stop(); }

void LoopbackAcceptor::start(OnAccept on_accept) {
  asio::co_spawn(io_, accept_loop(std::move(on_accept)), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

asio::awaitable<void> LoopbackAcceptor::accept_loop(OnAccept on_accept) {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    on_accept(std::move(socket), ++accepted_);
  }
}

void LoopbackAcceptor::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace postern::test
