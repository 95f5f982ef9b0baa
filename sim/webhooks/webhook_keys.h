// The simulator's own signing keys for the webhooks it sends (OpenSSL 3):
// SendGrid's ECDSA P-256 pair and the RSA key and self-signed X.509
// certificate of the simulated SNS. Generated at start, or SendGrid's read
// from a PEM file so a test can configure Postern with a known public key.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace postern::sim {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// SendGrid's Event Webhook signing key.
class EcSigningKey {
 public:
  static Result<EcSigningKey, Problem> generate();
  // A PEM private key (PKCS#8 or SEC1) on the P-256 curve.
  static Result<EcSigningKey, Problem> from_pem(std::string_view pem);

  // Base64 of the DER ECDSA signature (SEQUENCE {r, s}) of SHA-256(data),
  // as X-Twilio-Email-Event-Webhook-Signature carries it.
  std::string sign_base64(std::string_view data) const;
  // Base64 of the DER SubjectPublicKeyInfo, as SendGrid shows the key.
  std::string public_key_base64() const;

 private:
  explicit EcSigningKey(PkeyPtr key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// The simulated SNS's RSA key and the certificate at its SigningCertURL.
class SnsSigningKey {
 public:
  static Result<SnsSigningKey, Problem> generate();

  // Base64 of the RSA PKCS#1 v1.5 signature: SHA1withRSA for
  // SignatureVersion 1, SHA256withRSA for 2.
  std::string sign_base64(std::string_view data, int signature_version) const;
  const std::string& certificate_pem() const { return certificate_pem_; }

 private:
  SnsSigningKey(PkeyPtr key, std::string pem)
      : key_(std::move(key)), certificate_pem_(std::move(pem)) {}
  std::shared_ptr<EVP_PKEY> key_;
  std::string certificate_pem_;
};

// Lower-case hex of HMAC-SHA256(key, data): Mailgun's webhook signature.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace postern::sim
