// What the configuration file says about POP3: [pop3], the test inbox's
// POP3 listener and its limits. [tls] is read by its owner and given here.
#pragma once

#include "core/config.h"
#include "net/server_tls_options.h"
#include "pop3/pop3_server.h"

namespace postern::pop3 {

struct Pop3Config {
  Pop3ServerOptions server;  // server.listen "" = no POP3 listener
};

// Reads [pop3]. Errors name the key ("pop3.idle_timeout").
Result<Pop3Config, ConfigError> read_pop3_config(ConfigFile& file,
                                                 const net::ServerTlsOptions& tls);

}  // namespace postern::pop3
