// A minimal blocking SMTP client for socket-level tests: plain TCP with a
// receive timeout, STARTTLS or implicit TLS through OpenSSL. Not for reuse
// outside tests: it trusts any certificate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace postern::smtp::test {

class SmtpTestClient {
 public:
  // Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit SmtpTestClient(std::uint16_t port, bool implicit_tls = false);
  ~SmtpTestClient();
  SmtpTestClient(const SmtpTestClient&) = delete;
  SmtpTestClient& operator=(const SmtpTestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void send(std::string_view bytes);
  // One complete reply, multi-line replies whole; "" on EOF or timeout.
  std::string read_reply();
  std::string command(std::string_view line) {
    send(std::string(line) + "\r\n");
    return read_reply();
  }
  // TLS handshake on the connection (after "220 Ready to start TLS").
  bool start_tls();
  // True when the server closed the connection (EOF) within the timeout.
  bool wait_closed();
  void close();

 private:
  long read_some(char* buf, std::size_t n);

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
};

// Writes a self-signed certificate for localhost (net::make_self_signed,
// valid a day) and its key as PEM files. Returns false when that fails.
bool write_self_signed_cert(const std::string& cert_path, const std::string& key_path);

}  // namespace postern::smtp::test
