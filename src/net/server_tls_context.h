// The OpenSSL context of a server's own TLS (POP3 STLS; SMTP's STARTTLS
// loads the same way in smtp/listener.cpp) from [tls]: TLS 1.2 or newer,
// the certificate chain and its key. Immutable once made, so one serves
// every thread.
#pragma once

#include <memory>

#include "core/error.h"
#include "net/server_tls_options.h"

namespace boost::asio::ssl {
class context;
}

namespace postern::net {

// Errors (Problem): a file that cannot be loaded, or only one of the two.
// Call only when options.enabled().
Result<std::unique_ptr<boost::asio::ssl::context>, Problem> make_server_tls_context(
    const ServerTlsOptions& options);

}  // namespace postern::net
