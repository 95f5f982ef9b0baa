// Throwaway certificates for TLS tests: a self-signed CA and a server
// certificate it signed, generated in memory (OpenSSL, P-256) per test.
#pragma once

#include <string>
#include <vector>

namespace postern::test {

struct TestPki {
  std::string ca_cert_pem;
  std::string server_cert_pem;
  std::string server_key_pem;
};

// The server certificate names `dns_names` and `ip_addresses` in its
// subjectAltName; valid from an hour ago for a day.
TestPki make_test_pki(const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses = {});

}  // namespace postern::test
