// An SMTP relay (smarthost, docs/providers.md, smtp): EHLO, STARTTLS or implicit
// TLS, AUTH PLAIN/LOGIN, PIPELINING, SIZE, per-recipient RCPT results, and a
// small pool of connections reused with RSET.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "net/tls_context.h"
#include "providers/provider_factory.h"

namespace postern::providers::smtp {

enum class TlsMode { starttls, implicit, none };

struct SmtpRelaySettings {
  std::string host;
  std::uint16_t port = 587;
  TlsMode tls = TlsMode::starttls;
  std::string username;  // AUTH when set
  std::string password;
  std::string helo_name = "localhost";
  net::TlsClientOptions tls_options;
  bool allow_insecure_auth = false;  // AUTH without TLS (a relay on loopback)
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds command_timeout{60000};  // each reply
  std::chrono::milliseconds data_timeout{
      300000};                // the message and its final reply (RFC 5321 §4.5.3.2.6)
  std::size_t pool_size = 2;  // idle connections kept
  std::chrono::milliseconds idle_expiry{60000};
  std::size_t max_recipients = 100;   // RFC 5321 §4.5.3.1.8: servers take at least 100
  std::size_t max_message_bytes = 0;  // 0: what the relay's SIZE says
};

// Settings keys: host (required); port (default by tls: 587, 465, 25), tls
// ("starttls", "implicit", "none"), username and password (together),
// helo_name, tls_ca_file, tls_insecure, allow_insecure_auth, connect_timeout,
// timeout (per command), data_timeout, pool_size, idle_timeout,
// max_recipients, max_message_bytes.
Result<SmtpRelaySettings, ConfigError> read_smtp_settings(const ProviderConfig& config);

class SmtpRelayProvider final : public Provider {
 public:
  // Errors: the TLS options cannot be used (unreadable CA file).
  static Result<std::unique_ptr<SmtpRelayProvider>, Problem> create(std::string name,
                                                                    SmtpRelaySettings settings,
                                                                    ProviderContext& context);
  ~SmtpRelayProvider() override;

  // Provider
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "smtp"; }
  // The message goes as mime(), dot-stuffed, to the envelope's recipients.
  // Recipients refused with 5xx while others were accepted do not stop the
  // send: the result is ok and its detail lists them.
  void send(std::shared_ptr<const OutboundMessage> message,
            std::function<void(SendResult)> done) override;
  // Reuses an idle session (NOOP) or opens one: greeting, EHLO, TLS, AUTH.
  void probe(std::function<void(ProbeResult)> done) override;
  // The setting, else the SIZE the relay advertised (0 until known).
  std::size_t max_message_bytes() const override;
  std::size_t max_recipients() const override;

  // Settings, TLS context and idle sessions, shared with the coroutines in
  // flight so that they outlive the provider if they must.
  struct Shared;

 private:
  SmtpRelayProvider(std::string name, std::shared_ptr<Shared> shared, ProviderContext& context);
  std::string name_;
  std::shared_ptr<Shared> shared_;
  net::IoRuntime& io_;
  const Clock& clock_;
};

class SmtpRelayFactory final : public ProviderFactory {
 public:
  std::string_view type() const override { return "smtp"; }
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const override;
};

}  // namespace postern::providers::smtp
