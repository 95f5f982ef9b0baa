#include "net/tls_context.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>

namespace postern::net {

namespace ssl = boost::asio::ssl;

ClientTlsContext::ClientTlsContext(std::unique_ptr<ssl::context> context, bool insecure)
    : context_(std::move(context)), insecure_(insecure) {}

ClientTlsContext::~ClientTlsContext() = default;

Result<std::shared_ptr<ClientTlsContext>, Problem> ClientTlsContext::create(
    const TlsClientOptions& options) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);

  boost::system::error_code ec;
  // The system store may be absent in minimal containers; a CA file can
  // still make verification work, so this is not fatal by itself.
  context->set_default_verify_paths(ec);
  if (ec) spdlog::warn("tls: cannot load the system CA store: {}", ec.message());
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) return Problem{"cannot load CA file '" + options.ca_file + "': " + ec.message()};
  }
  if (options.insecure) {
    spdlog::warn(
        "tls: certificate and host-name verification are DISABLED for outbound connections");
    context->set_verify_mode(ssl::verify_none);
  } else {
    context->set_verify_mode(ssl::verify_peer);
  }
  return std::shared_ptr<ClientTlsContext>(
      new ClientTlsContext(std::move(context), options.insecure));
}

Result<void, Problem> ClientTlsContext::prepare(ssl_st* ssl, std::string_view host) const {
  std::string name(host);
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(name, ec);
  bool is_ip = !ec;
  if (!is_ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return Problem{"cannot set SNI name '" + name + "'"};
  }
  if (insecure_) return {};
  if (is_ip) {
    // RFC 6125 §6.2.1: an IP literal is matched against iPAddress SANs.
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), address.to_string().c_str()) != 1) {
      return Problem{"cannot verify IP address '" + name + "'"};
    }
  } else {
    // Wildcards only as the whole left-most label (RFC 6125 §6.4.3).
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, name.c_str()) != 1)
      return Problem{"cannot verify host name '" + name + "'"};
  }
  return {};
}

std::string tls_verify_failure(const ssl_st* ssl) {
  long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return "";
  return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
}

}  // namespace postern::net
