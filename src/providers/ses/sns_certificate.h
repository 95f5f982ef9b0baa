// The X.509 certificate an SNS message names in SigningCertURL, checked
// and kept for its signatures (OpenSSL). Sans-io: the caller fetches the
// PEM.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "providers/webhook.h"

namespace postern::providers::ses {

class SnsCertificate {
 public:
  // The first certificate of `pem`, valid at `now`. With `check_chain`
  // (Amazon's hosts) it must also chain to the system's trusted CAs; the
  // PEM's further certificates serve as intermediates. Refusal:
  // cert_invalid, saying why.
  static Result<std::shared_ptr<const SnsCertificate>, WebhookRefusal> load(std::string_view pem,
                                                                            SystemTime now,
                                                                            bool check_chain);
  ~SnsCertificate();
  SnsCertificate(const SnsCertificate&) = delete;
  SnsCertificate& operator=(const SnsCertificate&) = delete;

  // Whether it is still valid at `now` (a cached one expires).
  bool valid_at(SystemTime now) const;
  // Whether `signature` is the RSA signature of `text`: SHA-1 for
  // SignatureVersion 1, SHA-256 for 2.
  bool verify(std::string_view text, std::string_view signature, int signature_version) const;

 private:
  struct Impl;
  explicit SnsCertificate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::providers::ses
