// make_server_tls_context: see server_tls_context.h.
#include "net/server_tls_context.h"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>

#include "net/server_certificate.h"

namespace postern::net {
namespace {

// Mozilla's "intermediate" configuration (ssl-config.mozilla.org, v5.7):
// TLS 1.2 with forward-secret AEAD suites only; TLS 1.3 keeps OpenSSL's
// defaults, which are that list's. The client picks among them (all are
// strong), as Mozilla advises.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:prime256v1:secp384r1";

}  // namespace

Result<std::unique_ptr<boost::asio::ssl::context>, Problem> make_server_tls_context(
    const ServerTlsOptions& options) {
  namespace ssl = boost::asio::ssl;
  if (options.cert.empty() || options.key.empty()) {
    return Problem{"TLS needs both a certificate and a key"};
  }
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_server);
  // RFC 8996: nothing older than TLS 1.2.
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX* native = tls->native_handle();
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(native, kGroups) != 1) {
    return Problem{"OpenSSL refused the TLS cipher list"};
  }
  // DHE suites: OpenSSL picks the group size from the certificate's key.
  SSL_CTX_set_dh_auto(native, 1);
  boost::system::error_code ec;
  tls->use_certificate_chain_file(options.cert, ec);
  if (ec) return Problem{"cannot load TLS certificate " + options.cert + ": " + ec.message()};
  tls->use_private_key_file(options.key, ssl::context::pem, ec);
  if (ec) return Problem{"cannot load TLS key " + options.key + ": " + ec.message()};
  return tls;
}

Result<std::shared_ptr<ServerCertificate>> load_server_tls(const ServerTlsOptions& options,
                                                           std::string_view name) {
  if (!options.enabled() && options.key.empty()) return std::shared_ptr<ServerCertificate>();
  auto tls = ServerCertificate::load({options, ""});
  if (!tls) {
    spdlog::error("{}: {}", name, tls.error().message);
    return error_code(Errc::invalid_argument);
  }
  return std::move(*tls);
}

}  // namespace postern::net
