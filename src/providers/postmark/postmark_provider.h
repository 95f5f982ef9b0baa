// Postmark (docs/providers.md, postmark): POST /email with a JSON body and
// X-Postmark-Server-Token; no raw-MIME endpoint, so raw mail is parsed into
// the JSON fields. Probe GET /server.
#pragma once

#include <chrono>
#include <string>

#include "net/http_client.h"
#include "providers/common/request_budget.h"
#include "providers/postmark/postmark_webhook.h"
#include "providers/provider_factory.h"

namespace postern::providers::postmark {

struct PostmarkSettings {
  std::string server_token;
  std::string base_url = "https://api.postmarkapp.com";
  std::string message_stream;  // "" = the server's default ("outbound")
  std::chrono::milliseconds timeout{30000};
  PostmarkWebhookSettings webhook;
};

// Settings keys: api_key (the server token; required); base_url,
// message_stream, timeout, webhook_username and webhook_password (the event
// webhook's HTTP Basic credentials; both or neither).
Result<PostmarkSettings, ConfigError> read_postmark_settings(const ProviderConfig& config);

// The /email request. Errors: Errc::corrupt (the stored content cannot be
// read), Errc::invalid_argument (no To or Cc recipient: Postmark needs one).
Result<net::HttpClientRequest> build_postmark_send(const PostmarkSettings& settings,
                                                   const OutboundMessage& message);
net::HttpClientRequest build_postmark_probe(const PostmarkSettings& settings);

// The classification table (postmark_classify.cpp).
SendResult classify_postmark_send(const net::HttpClientResponse& response, SystemTime now);
// ErrorCode 406 names the inactive recipients, and Postmark sent nothing.
// When the message has others, they can have it without those: the answer
// becomes transient, with the inactive ones settled (left out of the retry).
// Either way they are named in SendResult::inactive_recipients.
SendResult leave_out_inactive(SendResult result, const Envelope& envelope);
ProbeResult classify_postmark_probe(const net::HttpClientResponse& response);

class PostmarkProvider final : public Provider {
 public:
  PostmarkProvider(std::string name, PostmarkSettings settings, ProviderContext& context);

  // Provider
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "postmark"; }
  void send(std::shared_ptr<const OutboundMessage> message,
            std::function<void(SendResult)> done) override;
  void probe(std::function<void(ProbeResult)> done) override;
  // 10 MB including attachments after base64; 50 recipients per field
  // (the total is capped at one field's worth to stay safe).
  std::size_t max_message_bytes() const override { return 10 * 1000 * 1000; }
  std::size_t max_recipients() const override { return 50; }
  std::shared_ptr<Webhook> webhook() const override { return webhook_; }

 private:
  std::string name_;
  PostmarkSettings settings_;
  net::HttpClient& http_;
  const Clock& clock_;
  common::RequestBudget* requests_;  // null: bodies are not charged
  std::shared_ptr<Webhook> webhook_;
};

class PostmarkFactory final : public ProviderFactory {
 public:
  std::string_view type() const override { return "postmark"; }
  Result<std::unique_ptr<Provider>, ConfigError> create(const ProviderConfig& config,
                                                        ProviderContext& context) const override;
};

}  // namespace postern::providers::postmark
