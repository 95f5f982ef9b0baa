// A minimal blocking POP3 client for socket-level tests: plain TCP with a
// receive timeout, and STLS through OpenSSL (trusting any certificate: not
// for use outside tests).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace postern::pop3::test {

class Pop3TestClient {
 public:
  explicit Pop3TestClient(std::uint16_t port);
  ~Pop3TestClient();
  Pop3TestClient(const Pop3TestClient&) = delete;
  Pop3TestClient& operator=(const Pop3TestClient&) = delete;

  void send(std::string_view bytes);
  // One response line with its CRLF; "" on EOF or timeout.
  std::string line();
  // A multi-line response up to and with ".\r\n"; "" on EOF or timeout.
  std::string block();
  std::string command(std::string_view text) {
    send(std::string(text) + "\r\n");
    return line();
  }
  bool start_tls();
  // True when the server closed the connection within the timeout.
  bool wait_closed();

 private:
  long read_some(char* buf, std::size_t n);
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

}  // namespace postern::pop3::test
