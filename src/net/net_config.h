// Reading the network layer's options from the configuration file: [http]
// for the I/O threads and the HTTP server, [tls] for servers' certificates.
// Defaults are the options structs' own; errors name the key.
#pragma once

#include "core/config.h"
#include "net/http_server.h"
#include "net/proxy_options.h"
#include "net/server_tls_options.h"

namespace postern::net {

struct IoRuntimeOptions {
  unsigned threads = 0;  // http.threads; 0: one per hardware thread
};

// http.threads.
Result<IoRuntimeOptions, ConfigError> read_io_runtime_options(ConfigFile& file);
// http.listen, max_body_bytes, idle_timeout, request_timeout,
// max_connections, max_header_field_bytes, max_header_fields, and HTTPS:
// tls_listen (served with `tls`, [tls]),
// tls_client_ca and tls_handshake_timeout, both only with tls_listen.
Result<HttpServerOptions, ConfigError> read_http_server_options(ConfigFile& file,
                                                                const ServerTlsOptions& tls);
// A server section's proxy_protocol and proxy_from (networks, and only
// with proxy_protocol), into `o`. Each server's reader calls it on its own
// section.
void read_proxy_protocol(ConfigSection& section, ProxyProtocolOptions& o);
// tls.cert and tls.key, both or neither; tls.self_signed.
Result<ServerTlsOptions, ConfigError> read_server_tls_options(ConfigFile& file);

}  // namespace postern::net
