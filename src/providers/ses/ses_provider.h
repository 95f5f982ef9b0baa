// Amazon SES v2 (docs/providers.md, ses): SendEmail with Content.Raw (the MIME
// message in base64), signed with SigV4; probe GetAccount.
#pragma once

#include <chrono>
#include <string>

#include "net/http_client.h"
#include "providers/common/request_budget.h"
#include "providers/provider_factory.h"
#include "providers/ses/ses_webhook.h"
#include "providers/ses/sigv4.h"

namespace postern::providers::ses {

struct SesSettings {
  SigV4Credentials credentials;
  std::string region;
  std::string
      endpoint;  // "https://email.<region>.amazonaws.com" unless overridden; no trailing '/'
  std::string configuration_set;
  std::chrono::milliseconds timeout{30000};
  SesWebhookSettings webhook;
};

// Settings keys: access_key_id, secret_access_key, region (required);
// session_token, endpoint (a URL, e.g. a simulator), configuration_set,
// timeout, webhook_topic_arn (the SNS topic of the event webhook) and
// webhook_cert_hosts (more hosts for its certificates, comma-separated).
Result<SesSettings, ConfigError> read_ses_settings(const ProviderConfig& config);

// The signed SendEmail request, signed at `now`. Errors: the stored
// content cannot be read.
Result<net::HttpClientRequest> build_ses_send(const SesSettings& settings,
                                              const OutboundMessage& message, SystemTime now);
net::HttpClientRequest build_ses_probe(const SesSettings& settings, SystemTime now);

// The classification table (ses_classify.cpp).
SendResult classify_ses_send(const net::HttpClientResponse& response, SystemTime now);
ProbeResult classify_ses_probe(const net::HttpClientResponse& response);
// The error type of an answer: x-amzn-ErrorType up to ':', else the
// body's code/Code/__type; namespace prefixes up to '#' removed.
std::string ses_error_type(const net::HttpClientResponse& response);

class SesProvider final : public Provider {
 public:
  SesProvider(std::string name, SesSettings settings, ProviderContext& context);

  // Provider
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "ses"; }
  void send(std::shared_ptr<const OutboundMessage> message,
            std::function<void(SendResult)> done) override;
  void probe(std::function<void(ProbeResult)> done) override;
  // 40 MB after base64, so 30 MB of MIME; 50 recipients.
  std::size_t max_message_bytes() const override { return 30 * 1000 * 1000; }
  std::size_t max_recipients() const override { return 50; }
  std::shared_ptr<Webhook> webhook() const override { return webhook_; }

 private:
  std::string name_;
  SesSettings settings_;
  net::HttpClient& http_;
  const Clock& clock_;
  common::RequestBudget* requests_;  // null: bodies are not charged
  std::shared_ptr<Webhook> webhook_;
};

class SesFactory final : public ProviderFactory {
 public:
  std::string_view type() const override { return "ses"; }
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const override;
};

}  // namespace postern::providers::ses
