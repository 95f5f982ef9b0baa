// Postern's configuration as the composition root uses it: each module's
// own options struct, filled by that module's reader from the one TOML file
// and the POSTERN_<SECTION>_<KEY> environment overrides
// (docs/configuration.md). The defaults are those structs' member
// initialisers; nothing here restates them.
#pragma once

#include <string>

#include "app/logging.h"
#include "app/shutdown.h"
#include "auth/limits_config.h"
#include "core/config.h"
#include "core/message_json.h"
#include "delivery/delivery_config.h"
#include "events/webhook_sender_config.h"
#include "http/api_options.h"
#include "imap/imap_config.h"
#include "inbox/inbox_config.h"
#include "net/http_server.h"
#include "net/net_config.h"
#include "pop3/pop3_config.h"
#include "routing/routing_config.h"
#include "smtp/smtp_config.h"
#include "store/store_config.h"

namespace postern::app {

struct Config {
  net::IoRuntimeOptions io;               // [http] threads
  net::HttpServerOptions http;            // [http]
  http::ApiOptions api;                   // [http] max_wait
  smtp::SmtpConfig smtp;                  // [smtp], with [tls] and [messages]
  pop3::Pop3Config pop3;                  // [pop3], with [tls]
  imap::ImapConfig imap;                  // [imap], with [tls] and [messages]
  MessageLimits messages;                 // [messages]
  store::StoreConfig store;               // [store]
  routing::RoutingConfig routing;         // [routing], [[routes]], [[providers]]
  delivery::DeliveryConfig delivery;      // [delivery]
  inbox::InboxOptions inbox;              // [inbox]
  events::WebhookSenderOptions webhooks;  // [webhooks]
  LogOptions log;                         // [log]
  auth::LimitsOptions limits;             // [limits]
  ShutdownOptions shutdown;               // [shutdown]
  std::string source_path;                // the file it was read from ("" for none), for reloads
};

// Loads a configuration. `path` may be empty (defaults only). Environment
// overrides win over the file. Errors name the key (or the variable).
Result<Config, ConfigError> load_config(const std::string& path, const Environment& env);

// Same from TOML text (tests, and load_config's second half).
Result<Config, ConfigError> parse_config(std::string_view toml_text, const Environment& env);

}  // namespace postern::app
