// make_server_tls_context: see server_tls_context.h.
#include "net/server_tls_context.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>

namespace postern::net {

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
  boost::system::error_code ec;
  tls->use_certificate_chain_file(options.cert, ec);
  if (ec) return Problem{"cannot load TLS certificate " + options.cert + ": " + ec.message()};
  tls->use_private_key_file(options.key, ssl::context::pem, ec);
  if (ec) return Problem{"cannot load TLS key " + options.key + ": " + ec.message()};
  return tls;
}

Result<std::unique_ptr<boost::asio::ssl::context>> load_server_tls(const ServerTlsOptions& options,
                                                                   std::string_view name) {
  if (!options.enabled() && options.key.empty())
    return std::unique_ptr<boost::asio::ssl::context>();
  auto tls = make_server_tls_context(options);
  if (!tls) {
    spdlog::error("{}: {}", name, tls.error().message);
    return error_code(Errc::invalid_argument);
  }
  return std::move(*tls);
}

}  // namespace postern::net
