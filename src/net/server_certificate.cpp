// ServerCertificate: see server_certificate.h.
#include "net/server_certificate.h"

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "net/server_tls_context.h"

namespace postern::net {
namespace {

// The same id for every context this process makes: a session resumed
// after a reload must not be refused for a changed id.
constexpr unsigned char kSessionIdContext[] = "postern";

Result<void, Problem> require_client_certificates(boost::asio::ssl::context& tls,
                                                  const std::string& ca_file) {
  boost::system::error_code ec;
  tls.load_verify_file(ca_file, ec);
  if (ec) return Problem{"cannot load the client CA " + ca_file + ": " + ec.message()};
  // Advertised in the CertificateRequest, so a client with several
  // certificates picks one this CA signed.
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca_file.c_str());
  if (names == nullptr) return Problem{"no CA certificate in " + ca_file};
  SSL_CTX_set_client_CA_list(tls.native_handle(), names);
  // Verified when offered, not required: clients without one still reach
  // the API with their keys. A certificate that fails verification ends
  // the handshake (a client that offers a bad one is misconfigured).
  SSL_CTX_set_verify(tls.native_handle(), SSL_VERIFY_PEER, nullptr);
  // Session resumption with client verification needs an id context.
  SSL_CTX_set_session_id_context(tls.native_handle(), kSessionIdContext,
                                 sizeof kSessionIdContext - 1);
  return {};
}

Result<std::shared_ptr<boost::asio::ssl::context>, Problem> make_context(
    const ServerCertificateOptions& options) {
  auto tls = make_server_tls_context(options.tls);
  if (!tls) return tls.error();
  if (!options.client_ca.empty()) {
    if (auto ok = require_client_certificates(**tls, options.client_ca); !ok) return ok.error();
  }
  return std::shared_ptr<boost::asio::ssl::context>(std::move(*tls));
}

}  // namespace

Result<std::shared_ptr<ServerCertificate>, Problem> ServerCertificate::load(
    ServerCertificateOptions options) {
  auto context = make_context(options);
  if (!context) return context.error();
  return std::shared_ptr<ServerCertificate>(
      new ServerCertificate(std::move(options), std::move(*context)));
}

std::shared_ptr<boost::asio::ssl::context> ServerCertificate::current() const {
  std::lock_guard lock(mu_);
  return context_;
}

Result<void, Problem> ServerCertificate::reload() {
  auto context = make_context(options_);
  if (!context) return context.error();
  std::lock_guard lock(mu_);
  context_ = std::move(*context);
  return {};
}

std::string verified_client_name(const ssl_st* ssl) {
  const X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return "";
  const X509_NAME* subject = X509_get_subject_name(peer);
  int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return "";
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (n < 0) return "";
  std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return name;
}

}  // namespace postern::net
