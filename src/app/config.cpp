#include "app/config.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace postern::app {
namespace {

// Stores a module reader's result in its place, or keeps its error.
template <class T>
bool take(Result<T, ConfigError>&& read, T& into, std::optional<ConfigError>& error) {
  if (!read) {
    error = read.error();
    return false;
  }
  into = std::move(*read);
  return true;
}

}  // namespace

Result<Config, ConfigError> parse_config(std::string_view toml_text, const Environment& env) {
  auto file = ConfigFile::parse(toml_text, env);
  if (!file) return file.error();
  Config c;
  std::optional<ConfigError> error;
  net::ServerTlsOptions tls;
  // Each section's owner reads it; the order matters only where one
  // module's options take another's ([tls] and [messages] for SMTP and
  // IMAP, [tls] for POP3 and HTTPS).
  bool ok = take(net::read_io_runtime_options(*file), c.io, error) &&
            take(net::read_server_tls_options(*file), tls, error) &&
            take(net::read_http_server_options(*file, tls), c.http, error) &&
            take(http::read_api_options(*file), c.api, error) &&
            take(read_message_limits(*file), c.messages, error) &&
            take(smtp::read_smtp_config(*file, tls, c.messages), c.smtp, error) &&
            take(pop3::read_pop3_config(*file, tls), c.pop3, error) &&
            take(imap::read_imap_config(*file, tls, c.messages), c.imap, error) &&
            take(store::read_store_config(*file), c.store, error) &&
            take(routing::read_routing_config(*file), c.routing, error) &&
            take(delivery::read_delivery_config(*file), c.delivery, error) &&
            take(inbox::read_inbox_config(*file), c.inbox, error) &&
            take(events::read_webhook_sender_config(*file), c.webhooks, error) &&
            take(read_log_options(*file), c.log, error) &&
            take(auth::read_limits_options(*file), c.limits, error) &&
            take(read_shutdown_options(*file), c.shutdown, error);
  if (!ok) return *error;
  // SMTP, POP3, IMAP and HTTPS serve TLS: without a listener of any a
  // certificate would do nothing.
  if (tls.enabled() && c.smtp.listeners().empty() && c.inbox.mx_listen.empty() &&
      c.pop3.server.listen.empty() && !c.imap.enabled() && c.http.tls_listen.empty()) {
    return ConfigError{"tls.cert",
                       "no listener uses it: only SMTP (smtp.listen, smtp.tls_listen, "
                       "inbox.mx_listen), POP3 (pop3.listen), IMAP (imap.listen, "
                       "imap.tls_listen) and HTTPS (http.tls_listen) serve TLS"};
  }
  // A message or request larger than the whole budget could never be
  // taken in: refused with "try again" forever.
  auto largest = std::max(c.messages.max_message_bytes, c.http.max_body_bytes);
  if (c.limits.inflight_bytes < largest) {
    return ConfigError{"limits.inflight_bytes",
                       "must be at least messages.max_message_bytes and http.max_body_bytes (" +
                           std::to_string(largest) + " bytes): the largest message must fit"};
  }
  if (auto done = file->finish(); !done) return done.error();
  return c;
}

Result<Config, ConfigError> load_config(const std::string& path, const Environment& env) {
  if (path.empty()) return parse_config("", env);
  std::ifstream in(path, std::ios::binary);
  if (!in) return ConfigError{"", "cannot read configuration file " + path};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto config = parse_config(text, env);
  if (config) config->source_path = path;
  return config;
}

}  // namespace postern::app
