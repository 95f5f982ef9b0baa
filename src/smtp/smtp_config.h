// What the configuration file says about SMTP: [smtp] for the submission
// listener and an optional implicit-TLS listener beside it, which share
// every other option.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "core/message_json.h"
#include "net/server_tls_options.h"
#include "smtp/smtp_server.h"

namespace postern::smtp {

struct SmtpConfig {
  SmtpServerOptions server;  // server.listen: the submission listener ("" = none)
  std::string tls_listen;    // implicit TLS, port 465 style ("" = none)

  // One entry per listener to open: the submission one, then the
  // implicit-TLS one, each with `server`'s other options.
  std::vector<SmtpServerOptions> listeners() const;
  // An MX listener on `listen` (the test inbox's inbox.mx_listen) with the
  // submission listener's limits, timeouts, host name and TLS: STARTTLS,
  // never implicit TLS (other servers deliver to port 25 in clear text
  // first), and no AUTH whatever auth_without_tls says.
  SmtpServerOptions mx_listener(std::string listen) const;
};

// Reads [smtp]; `tls` ([tls]) and `limits` ([messages]) are read by their
// owners and given here. Errors name the key ("smtp.max_connections").
Result<SmtpConfig, ConfigError> read_smtp_config(ConfigFile& file, const net::ServerTlsOptions& tls,
                                                 const MessageLimits& limits);

}  // namespace postern::smtp
