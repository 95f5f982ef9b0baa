// The certificate and key that Postern's own servers present ([tls]); today
// SMTP's STARTTLS and its implicit-TLS listener use them. With no files
// configured, app/server_tls.h fills in a self-signed pair unless
// self_signed is off.
#pragma once

#include <string>

namespace postern::net {

struct ServerTlsOptions {
  std::string cert;  // PEM certificate chain; "" = no TLS
  std::string key;   // PEM private key; set with cert or not at all
  // With no cert and key: make and keep a self-signed certificate in the
  // data folder (net/self_signed_store.h) rather than serve without TLS.
  bool self_signed = true;
  bool enabled() const { return !cert.empty(); }
};

}  // namespace postern::net
