// Mailgun (docs/providers.md, mailgun): structured mail to POST /v3/{domain}/messages,
// raw mail to /messages.mime, both multipart/form-data with Basic auth
// api:KEY; probe GET /v3/domains/{domain}.
#pragma once

#include <chrono>
#include <string>

#include "net/http_client.h"
#include "providers/mailgun/mailgun_webhook.h"
#include "providers/provider_factory.h"

namespace postern::providers::mailgun {

struct MailgunSettings {
  std::string api_key;
  std::string domain;
  std::string base_url = "https://api.mailgun.net";  // no trailing '/'
  std::chrono::milliseconds timeout{30000};
  bool test_mode = false;  // o:testmode: accepted and billed, not delivered
  MailgunWebhookSettings webhook;
};

// Settings keys: api_key, domain (required); base_url ("us", "eu" or a URL),
// timeout, test_mode, webhook_signing_key (the event webhook).
Result<MailgunSettings, ConfigError> read_mailgun_settings(const ProviderConfig& config);

// The send request for `message`: /messages for JSON-submitted mail,
// /messages.mime for raw mail. Errors: the stored content cannot be read.
Result<net::HttpClientRequest> build_mailgun_send(const MailgunSettings& settings,
                                                  const OutboundMessage& message);
net::HttpClientRequest build_mailgun_probe(const MailgunSettings& settings);

// The classification table (mailgun_classify.cpp).
SendResult classify_mailgun_send(const net::HttpClientResponse& response, SystemTime now);
ProbeResult classify_mailgun_probe(const net::HttpClientResponse& response);

class MailgunProvider final : public Provider {
 public:
  MailgunProvider(std::string name, MailgunSettings settings, ProviderContext& context);

  // Provider
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "mailgun"; }
  void send(std::shared_ptr<const OutboundMessage> message,
            std::function<void(SendResult)> done) override;
  void probe(std::function<void(ProbeResult)> done) override;
  // 25 MB per message, 1000 recipients.
  std::size_t max_message_bytes() const override { return 25 * 1000 * 1000; }
  std::size_t max_recipients() const override { return 1000; }
  std::shared_ptr<Webhook> webhook() const override { return webhook_; }

 private:
  std::string name_;
  MailgunSettings settings_;
  net::HttpClient& http_;
  const Clock& clock_;
  std::shared_ptr<Webhook> webhook_;
};

class MailgunFactory final : public ProviderFactory {
 public:
  std::string_view type() const override { return "mailgun"; }
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const override;
};

}  // namespace postern::providers::mailgun
