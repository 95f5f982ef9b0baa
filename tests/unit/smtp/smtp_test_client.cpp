// SmtpTestClient and the test certificate: see smtp_test_client.h.
#include "smtp_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

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
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return false;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return false;
  FILE* cf = std::fopen(cert_path.c_str(), "w");
  FILE* kf = std::fopen(key_path.c_str(), "w");
  bool ok = cf && kf && PEM_write_X509(cf, cert.get()) == 1 &&
            PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (cf) std::fclose(cf);
  if (kf) std::fclose(kf);
  return ok;
}

}  // namespace postern::smtp::test
