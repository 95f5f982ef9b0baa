// Keeps the node's self-signed certificate (self_signed_cert.h) in its data
// folder across restarts: made on the first start, reused after, so that a
// client that pinned it (or its fingerprint) keeps working; made again only
// when it cannot be used (missing, unreadable, key and certificate apart,
// expired or about to). Used by app/server.cpp when [tls] names no files.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "net/self_signed_cert.h"
#include "net/server_tls_options.h"

namespace postern::net {

struct SelfSignedOptions {
  std::filesystem::path dir;       // holds self-signed.crt and self-signed.key
  std::vector<std::string> names;  // for a new certificate: see make_self_signed
  // 825 days: the longest that Apple's TLS clients accept for a server
  // certificate, also one a user trusted by hand; others accept more.
  std::chrono::hours validity{24 * 825};
  // A certificate this close to its end is replaced at start rather than
  // left to expire under a running node.
  std::chrono::hours renew_before{24 * 30};
};

struct SelfSignedCertificate {
  ServerTlsOptions files;  // the two PEM files, for the servers to load
  CertificateFacts facts;
  bool created = false;  // false: an earlier start's certificate is reused
  std::string reason;    // when created: why the one on disk was not used
};

// Reuses the certificate in `options.dir` or makes one, writing the key
// (mode 0600) and then the certificate atomically and durably. A lock file
// there keeps two processes on one folder from interleaving their writes.
// Errors (Problem): the folder or a file cannot be written, or OpenSSL
// failed; never a bad file on disk, which is replaced.
Result<SelfSignedCertificate, Problem> keep_self_signed(const SelfSignedOptions& options,
                                                        SystemTime now);

}  // namespace postern::net
