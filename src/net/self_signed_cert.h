// A self-signed server certificate made in memory (OpenSSL 3): what a node
// presents when no certificate is configured, so that STARTTLS, and AUTH
// after it, work out of the box (the local mail catcher of `make run`, used
// by clients such as Nodemailer that insist on TLS before credentials).
// Pure: no files; self_signed_store.h keeps one in the data folder.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace postern::net {

struct CertificatePem {
  std::string cert;  // one PEM certificate
  std::string key;   // its PEM private key (PKCS #8, unencrypted)
};

// Makes an EC P-256 key and a certificate for it that names each of `names`
// in its subjectAltName (IP literals as iPAddress, others as dNSName; a
// name that is neither is skipped) and the first as its CN. The certificate
// is its own issuer and marked as a CA (basicConstraints CA:TRUE,
// keyCertSign) so that a client can trust it as the one anchor of the chain
// (Node's `tls.ca`, Python's cafile, `openssl -CAfile`); its extended key
// usage is serverAuth only. Valid from `not_before` to `not_after`.
// Errors (Problem): no usable name, or OpenSSL failed.
Result<CertificatePem, Problem> make_self_signed(const std::vector<std::string>& names,
                                                 SystemTime not_before, SystemTime not_after);

struct CertificateFacts {
  std::string sha256_fingerprint;  // of the DER certificate: "AB:CD:…" (32 bytes)
  SystemTime not_before;
  SystemTime not_after;
};

// Parses a certificate and key pair and checks that the key belongs to the
// certificate. Errors (Problem): either does not parse, or they do not match.
Result<CertificateFacts, Problem> inspect_certificate(const CertificatePem& pem);

}  // namespace postern::net
