// The certificate Postern's servers present: the files [tls] names, or
// else (tls.self_signed, the default) a self-signed one kept in the data
// folder, beside the store, so that STARTTLS and AUTH work on the `make run`
// defaults (docs/inbox.md, "TLS on the defaults").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/clock.h"
#include "core/error.h"
#include "net/server_tls_options.h"

namespace postern::app {

// Where the self-signed certificate lives: tls/ in the store's folder.
std::filesystem::path self_signed_dir(const Config& config);

// The names a self-signed certificate is made for: localhost, the loopback
// addresses, smtp.hostname, the machine's host name, and the address of
// the POP3 listener, the MX listener, the HTTPS listener and each SMTP
// listener bound to one address. No duplicates, in that order.
std::vector<std::string> self_signed_names(const Config& config, const std::string& host_name);

// [tls] as configured when it names files, when tls.self_signed is off or
// when no listener would use a certificate; otherwise the self-signed
// files, made or reused (logged with the SHA-256 fingerprint).
// Errors (Problem): the certificate could not be made or written.
Result<net::ServerTlsOptions, Problem> server_tls(const Config& config, SystemTime now);

}  // namespace postern::app
