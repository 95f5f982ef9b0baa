// The [[providers]] settings of an SMTP relay, and its factory.
#include <unistd.h>

#include "providers/common/settings.h"
#include "providers/smtp/smtp_provider.h"

namespace postern::providers::smtp {

namespace {

std::string local_host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

Result<SmtpRelaySettings, ConfigError> read_smtp_settings(const ProviderConfig& config) {
  common::ProviderSettings s(config);
  if (auto ok = s.only({"host", "port", "tls", "username", "password", "helo_name", "tls_ca_file",
                        "tls_insecure", "allow_insecure_auth", "connect_timeout", "timeout",
                        "data_timeout", "pool_size", "idle_timeout", "max_recipients",
                        "max_message_bytes"});
      !ok) {
    return ok.error();
  }
  SmtpRelaySettings out;
  auto host = s.required("host");
  if (!host) return host.error();
  out.host = *host;
  auto tls = s.choice("tls", "starttls", {"starttls", "implicit", "none"});
  if (!tls) return tls.error();
  out.tls = *tls == "starttls"   ? TlsMode::starttls
            : *tls == "implicit" ? TlsMode::implicit
                                 : TlsMode::none;
  // Submission (RFC 6409) for STARTTLS, submissions (RFC 8314 §7.3) for
  // implicit TLS, plain SMTP otherwise.
  std::size_t default_port = out.tls == TlsMode::starttls   ? 587
                             : out.tls == TlsMode::implicit ? 465
                                                            : 25;
  auto port = s.count("port", default_port, 1, 65535);
  if (!port) return port.error();
  out.port = static_cast<std::uint16_t>(*port);

  out.username = s.text("username");
  out.password = s.text("password");
  if (out.username.empty() != out.password.empty()) {
    return s.error(out.username.empty() ? "username" : "password",
                   "username and password go together");
  }
  auto insecure_auth = s.flag("allow_insecure_auth", false);
  if (!insecure_auth) return insecure_auth.error();
  out.allow_insecure_auth = *insecure_auth;
  if (!out.username.empty() && out.tls == TlsMode::none && !out.allow_insecure_auth) {
    return s.error("username",
                   "AUTH without TLS sends the password in clear; use tls = \"starttls\" or "
                   "\"implicit\", or set "
                   "allow_insecure_auth = true for a relay on a trusted network");
  }
  out.helo_name = s.text("helo_name", local_host_name());
  out.tls_options.ca_file = s.text("tls_ca_file");
  auto tls_insecure = s.flag("tls_insecure", false);
  if (!tls_insecure) return tls_insecure.error();
  out.tls_options.insecure = *tls_insecure;

  auto connect_timeout = s.duration("connect_timeout", out.connect_timeout);
  if (!connect_timeout) return connect_timeout.error();
  out.connect_timeout = *connect_timeout;
  auto timeout = s.duration("timeout", out.command_timeout);
  if (!timeout) return timeout.error();
  out.command_timeout = *timeout;
  auto data_timeout = s.duration("data_timeout", out.data_timeout);
  if (!data_timeout) return data_timeout.error();
  out.data_timeout = *data_timeout;
  auto pool_size = s.count("pool_size", out.pool_size, 0, 64);
  if (!pool_size) return pool_size.error();
  out.pool_size = *pool_size;
  auto idle = s.duration("idle_timeout", out.idle_expiry);
  if (!idle) return idle.error();
  out.idle_expiry = *idle;
  auto max_recipients = s.count("max_recipients", out.max_recipients, 1, 100000);
  if (!max_recipients) return max_recipients.error();
  out.max_recipients = *max_recipients;
  auto max_bytes = s.size("max_message_bytes", 0);
  if (!max_bytes) return max_bytes.error();
  out.max_message_bytes = *max_bytes;
  return out;
}

Result<std::unique_ptr<Provider>, ConfigError> SmtpRelayFactory::create(
    const ProviderConfig& config, ProviderContext& context) const {
  auto settings = read_smtp_settings(config);
  if (!settings) return settings.error();
  auto provider = SmtpRelayProvider::create(config.name, std::move(*settings), context);
  if (!provider) return ConfigError{config.key_path + ".tls_ca_file", provider.error().message};
  return std::unique_ptr<Provider>(std::move(*provider));
}

}  // namespace postern::providers::smtp
