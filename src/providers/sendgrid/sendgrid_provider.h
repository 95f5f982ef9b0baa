// SendGrid v3 (docs/providers.md, sendgrid): POST /v3/mail/send with a JSON body. There
// is no raw-MIME endpoint, so raw mail is parsed into the JSON structure.
// Probe GET /v3/scopes (the key must hold mail.send).
#pragma once

#include <chrono>
#include <string>

#include "net/http_client.h"
#include "providers/common/request_budget.h"
#include "providers/provider_factory.h"
#include "providers/sendgrid/sendgrid_webhook.h"

namespace postern::providers::sendgrid {

struct SendGridSettings {
  std::string api_key;
  std::string base_url = "https://api.sendgrid.com";
  std::chrono::milliseconds timeout{30000};
  bool sandbox_mode = false;  // mail_settings.sandbox_mode: validated, answered 200, not delivered
  // The signed Event Webhook's verification key; null: no webhook.
  std::shared_ptr<const SendGridWebhookKey> webhook_key;
};

// Settings keys: api_key (required); base_url ("global", "eu" or a URL),
// timeout, sandbox_mode, webhook_public_key (the event webhook).
Result<SendGridSettings, ConfigError> read_sendgrid_settings(const ProviderConfig& config);

// The mail/send request. Errors: the stored content cannot be read.
Result<net::HttpClientRequest> build_sendgrid_send(const SendGridSettings& settings,
                                                   const OutboundMessage& message);
net::HttpClientRequest build_sendgrid_probe(const SendGridSettings& settings);

// The classification table (sendgrid_classify.cpp).
SendResult classify_sendgrid_send(const net::HttpClientResponse& response, SystemTime now);
ProbeResult classify_sendgrid_probe(const net::HttpClientResponse& response);

class SendGridProvider final : public Provider {
 public:
  SendGridProvider(std::string name, SendGridSettings settings, ProviderContext& context);

  // Provider
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "sendgrid"; }
  void send(std::shared_ptr<const OutboundMessage> message,
            std::function<void(SendResult)> done) override;
  void probe(std::function<void(ProbeResult)> done) override;
  // The whole JSON under 30 MB; the MIME size is a close proxy (both
  // carry attachments in base64), with room left for the JSON around it.
  std::size_t max_message_bytes() const override { return 28 * 1000 * 1000; }
  std::size_t max_recipients() const override { return 1000; }
  std::shared_ptr<Webhook> webhook() const override { return webhook_; }

 private:
  std::string name_;
  SendGridSettings settings_;
  net::HttpClient& http_;
  const Clock& clock_;
  common::RequestBudget* requests_;  // null: bodies are not charged
  std::shared_ptr<Webhook> webhook_;
};

class SendGridFactory final : public ProviderFactory {
 public:
  std::string_view type() const override { return "sendgrid"; }
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const override;
};

}  // namespace postern::providers::sendgrid
