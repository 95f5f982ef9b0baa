// The certificate and key that Postern's own servers present ([tls]); today
// SMTP's STARTTLS and its implicit-TLS listener use them.
#pragma once

#include <string>

namespace postern::net {

struct ServerTlsOptions {
  std::string cert;  // PEM certificate chain; "" = no TLS
  std::string key;   // PEM private key; set with cert or not at all
  bool enabled() const { return !cert.empty(); }
};

}  // namespace postern::net
