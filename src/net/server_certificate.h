// A server's TLS context that can be replaced while it serves: SIGHUP reads
// the certificate, key (and client CA) files again, new handshakes get the
// new context, and connections already up keep the one they started with
// (each holds a reference), so a renewed certificate (certbot) takes effect
// without dropping anyone.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/error.h"
#include "net/server_tls_options.h"

namespace boost::asio::ssl {
class context;
}
struct ssl_st;  // OpenSSL's SSL

namespace postern::net {

struct ServerCertificateOptions {
  ServerTlsOptions tls;  // [tls]: the certificate chain and key
  // PEM file of the CAs whose client certificates are verified (and then
  // reported by verified_client_name()); "" asks clients for none.
  std::string client_ca;
};

class ServerCertificate {
 public:
  // Errors (Problem): a file that cannot be loaded (as make_server_tls_context).
  static Result<std::shared_ptr<ServerCertificate>, Problem> load(ServerCertificateOptions options);

  // The context for the next handshake. Thread-safe.
  std::shared_ptr<boost::asio::ssl::context> current() const;

  // Reads the files again. On failure the current context stays and the
  // error says why (the caller logs it). Thread-safe.
  Result<void, Problem> reload();

  const ServerCertificateOptions& options() const { return options_; }

 private:
  ServerCertificate(ServerCertificateOptions options,
                    std::shared_ptr<boost::asio::ssl::context> context)
      : options_(std::move(options)), context_(std::move(context)) {}

  const ServerCertificateOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> context_;  // guarded by mu_
};

// The subject Common Name (UTF-8) of the client certificate a finished
// handshake verified against ServerCertificateOptions::client_ca; "" when
// the client sent none or the certificate names no CN.
std::string verified_client_name(const ssl_st* ssl);

}  // namespace postern::net
