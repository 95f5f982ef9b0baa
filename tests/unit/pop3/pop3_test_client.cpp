// Pop3TestClient: see pop3_test_client.h.
#include "pop3_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace postern::pop3::test {

Pop3TestClient::Pop3TestClient(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Pop3TestClient::~Pop3TestClient() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

void Pop3TestClient::send(std::string_view bytes) {
  if (ssl_) {
    SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
  } else if (fd_ >= 0) {
    [[maybe_unused]] auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
}

long Pop3TestClient::read_some(char* buf, std::size_t n) {
  if (fd_ < 0) return 0;
  if (ssl_) return SSL_read(ssl_, buf, static_cast<int>(n));
  return ::recv(fd_, buf, n, 0);
}

std::string Pop3TestClient::line() {
  for (;;) {
    auto pos = buffer_.find("\r\n");
    if (pos != std::string::npos) {
      auto out = buffer_.substr(0, pos + 2);
      buffer_.erase(0, pos + 2);
      return out;
    }
    char buf[4096];
    auto got = read_some(buf, sizeof buf);
    if (got <= 0) return {};
    buffer_.append(buf, static_cast<std::size_t>(got));
  }
}

std::string Pop3TestClient::block() {
  auto first = line();
  if (first.empty() || !first.starts_with("+OK")) return first;
  std::string out = first;
  for (;;) {
    auto l = line();
    if (l.empty()) return {};
    out += l;
    if (l == ".\r\n") return out;
  }
}

bool Pop3TestClient::start_tls() {
  ctx_ = SSL_CTX_new(TLS_client_method());
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  return SSL_connect(ssl_) == 1;
}

bool Pop3TestClient::wait_closed() {
  char buf[256];
  for (;;) {
    auto got = read_some(buf, sizeof buf);
    if (got == 0) return true;
    if (got < 0) return false;
  }
}

}  // namespace postern::pop3::test
