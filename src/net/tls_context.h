// Client-side TLS for every outbound connection (provider APIs over HTTPS,
// SMTP relays with STARTTLS or implicit TLS): one OpenSSL context that
// verifies certificates and host names unless explicitly told not to.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace boost::asio::ssl {
class context;
}
struct ssl_st;  // OpenSSL's SSL

namespace postern::net {

struct TlsClientOptions {
  // PEM file of extra trusted CAs, added to the system's default paths
  // (a private CA, or the self-signed CA of a test).
  std::string ca_file;
  // No certificate and no host-name verification. Only for endpoints that
  // cannot present a valid certificate; logged loudly when used.
  bool insecure = false;
};

// Owns the OpenSSL client context (TLS 1.2 or newer, peer verification on).
// Immutable after create(), so one instance serves every thread.
class ClientTlsContext {
 public:
  // Errors (Problem): the CA file cannot be read or holds no certificate.
  static Result<std::shared_ptr<ClientTlsContext>, Problem> create(const TlsClientOptions& options);
  ~ClientTlsContext();
  ClientTlsContext(const ClientTlsContext&) = delete;
  ClientTlsContext& operator=(const ClientTlsContext&) = delete;

  boost::asio::ssl::context& native() { return *context_; }
  bool verifies() const { return !insecure_; }

  // Sets up one connection before its handshake: SNI (RFC 6066 §3, names
  // only, never IP literals) and the identity the certificate must match
  // (a DNS name via SSL_set1_host, or an IP address). Errors: Problem when
  // OpenSSL refuses the host.
  Result<void, Problem> prepare(ssl_st* ssl, std::string_view host) const;

 private:
  ClientTlsContext(std::unique_ptr<boost::asio::ssl::context> context, bool insecure);
  std::unique_ptr<boost::asio::ssl::context> context_;
  bool insecure_;
};

// The reason of the last OpenSSL verification failure of a connection
// ("certificate verify failed: unable to get local issuer certificate"), or
// "" when verification passed. For log lines and error details.
std::string tls_verify_failure(const ssl_st* ssl);

}  // namespace postern::net
