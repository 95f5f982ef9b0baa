// The OpenSSL context of a server's own TLS (SMTP STARTTLS, POP3 STLS,
// IMAP STARTTLS, the implicit-TLS listeners and HTTPS) from [tls]: TLS 1.2
// or newer with Mozilla's "intermediate" cipher list, the certificate chain
// and its key. Immutable once made, so one serves
// every thread.
#pragma once

#include <memory>
#include <string_view>

#include "core/error.h"
#include "net/server_tls_options.h"

namespace boost::asio::ssl {
class context;
}

namespace postern::net {

class ServerCertificate;

// Errors (Problem): a file that cannot be loaded, or only one of the two.
// Call only when options.enabled().
Result<std::unique_ptr<boost::asio::ssl::context>, Problem> make_server_tls_context(
    const ServerTlsOptions& options);

// What a protocol server (SMTP, POP3, IMAP) loads at start: its
// certificate (reloadable on SIGHUP, net/server_certificate.h) when
// `options` name a certificate or a key, null when they name neither. A
// failure is logged as "<name>: ..." and answered invalid_argument.
Result<std::shared_ptr<ServerCertificate>> load_server_tls(const ServerTlsOptions& options,
                                                           std::string_view name);

}  // namespace postern::net
