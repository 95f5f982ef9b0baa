// SmtpTestClient and the test certificate: see smtp_test_client.h.
#include "smtp_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>

#include "net/self_signed_cert.h"

namespace postern::smtp::test {

SmtpTestClient::SmtpTestClient(std::uint16_t port, bool implicit_tls) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  timeval tv{10, 0};  // no test waits longer for a reply
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
  if (implicit_tls && !start_tls()) close();
}

SmtpTestClient::~SmtpTestClient() { close(); }

void SmtpTestClient::close() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  ssl_ = nullptr;
  ctx_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SmtpTestClient::send(std::string_view bytes) {
  while (!bytes.empty() && fd_ >= 0) {
    long n = ssl_ ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                  : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

long SmtpTestClient::read_some(char* buf, std::size_t n) {
  if (fd_ < 0) return 0;
  return ssl_ ? SSL_read(ssl_, buf, static_cast<int>(n)) : ::recv(fd_, buf, n, 0);
}

std::string SmtpTestClient::read_reply() {
  for (;;) {
    // A reply ends with a line "ddd SP ..." (RFC 5321 §4.2.1).
    std::size_t pos = 0;
    while (true) {
      auto end = buffer_.find("\r\n", pos);
      if (end == std::string::npos) break;
      if (end - pos >= 4 && buffer_[pos + 3] == ' ') {
        auto reply = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 2);
        return reply;
      }
      if (end - pos == 3) {  // "ddd" alone
        auto reply = buffer_.substr(0, end + 2);
        buffer_.erase(0, end + 2);
        return reply;
      }
      pos = end + 2;
    }
    char buf[4096];
    long n = read_some(buf, sizeof buf);
    if (n <= 0) return {};
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

bool SmtpTestClient::start_tls() {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) return false;
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, "localhost");
  return SSL_connect(ssl_) == 1;
}

bool SmtpTestClient::wait_closed() {
  char buf[256];
  for (;;) {
    long n = read_some(buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) return false;  // timeout or error
  }
}

bool write_self_signed_cert(const std::string& cert_path, const std::string& key_path) {
  using namespace std::chrono_literals;
  auto now = std::chrono::system_clock::now();
  auto pem = net::make_self_signed({"localhost"}, now - 1h, now + 24h);
  if (!pem) return false;
  std::ofstream cert(cert_path, std::ios::binary);
  std::ofstream key(key_path, std::ios::binary);
  cert << pem->cert;
  key << pem->key;
  return cert.flush().good() && key.flush().good();
}

}  // namespace postern::smtp::test
