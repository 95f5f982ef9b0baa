// What the configuration file says about IMAP: [imap], the test inbox's
// IMAP listeners and their limits. [tls] and [messages] are read by their
// owners and given here.
#pragma once

#include "core/config.h"
#include "core/message_json.h"
#include "imap/server/imap_server.h"
#include "net/server_tls_options.h"

namespace postern::imap {

struct ImapConfig {
  ImapServerOptions server;  // listen and tls_listen both "" = no IMAP server
  bool enabled() const { return !server.listen.empty() || !server.tls_listen.empty(); }
};

// Reads [imap]. Errors name the key ("imap.idle_timeout").
Result<ImapConfig, ConfigError> read_imap_config(ConfigFile& file, const net::ServerTlsOptions& tls,
                                                 const MessageLimits& limits);

}  // namespace postern::imap
