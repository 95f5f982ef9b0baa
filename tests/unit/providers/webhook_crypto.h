// Real keys and certificates made in the test, to sign webhook requests as
// the providers do (OpenSSL): an EC P-256 key pair (SendGrid) and an RSA
// key with a self-signed X.509 certificate (SNS).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace postern::test {

class TestKey {
 public:
  // "EC" with a curve ("P-256", "P-384"), or "RSA".
  static TestKey ec(const char* curve);
  static TestKey rsa();
  ~TestKey();
  TestKey(TestKey&&) noexcept;
  TestKey& operator=(TestKey&&) noexcept;

  // base64 of DER SubjectPublicKeyInfo, as SendGrid shows its key.
  std::string public_der_base64() const;
  // A signature of `data` with `digest` ("SHA256", "SHA1"): ASN.1 DER for
  // EC keys, PKCS#1 v1.5 for RSA ones.
  std::string sign(std::string_view data, const char* digest = "SHA256") const;
  // A self-signed certificate of this key, valid from `not_before` to
  // `not_after`, in PEM.
  std::string self_signed_pem(SystemTime not_before, SystemTime not_after) const;

 private:
  struct Impl;
  explicit TestKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::test
