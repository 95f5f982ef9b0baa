// Amazon SES's notifications through an Amazon SNS HTTP(S) subscription
// (docs/events.md, "Webhooks in"; facts in shared/provider-webhooks.md §3).
// Each message is checked (TopicArn, SigningCertURL's host, the RSA
// signature under that certificate), then a SubscriptionConfirmation is
// confirmed by fetching its SubscribeURL and a Notification's Message is
// read as an SES notification. The checks are sans-io (sns_message.h,
// sns_certificate.h, ses_notification.h); this class adds the fetches,
// through a function so that tests serve them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "net/http_client.h"
#include "providers/ses/sns_certificate.h"
#include "providers/ses/sns_message.h"

namespace postern::providers::ses {

struct SesWebhookSettings {
  std::string topic_arn;  // empty: no webhook
  SnsHostRules hosts;
  std::chrono::milliseconds timeout{10000};  // per fetch
};

// Sends one request; `done` once, from any thread (net::HttpClient::send).
using WebhookFetch = std::function<void(net::HttpClientRequest,
                                        std::function<void(Result<net::HttpClientResponse>)>)>;

class SesWebhook final : public Webhook, public std::enable_shared_from_this<SesWebhook> {
 public:
  // Certificates kept at once (SNS uses one per region at a time).
  static constexpr std::size_t kMaxCertificates = 16;

  SesWebhook(SesWebhookSettings settings, WebhookFetch fetch)
      : settings_(std::move(settings)), fetch_(std::move(fetch)) {}

  // Refusals: malformed, unsupported_signature, wrong_topic,
  // cert_host_not_allowed, url_not_allowed, cert_invalid, bad_signature;
  // cert_unavailable and confirmation_failed ask the provider to retry.
  void receive(const WebhookRequest& request, std::function<void(WebhookResult)> done) override;

 private:
  using CertificateResult = Result<std::shared_ptr<const SnsCertificate>, WebhookRefusal>;
  void with_certificate(const std::string& url, bool amazon, SystemTime now,
                        std::function<void(CertificateResult)> done);
  void act(const SnsMessage& message, SystemTime now, std::function<void(WebhookResult)> done);

  const SesWebhookSettings settings_;
  const WebhookFetch fetch_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const SnsCertificate>> certificates_;  // by URL
};

}  // namespace postern::providers::ses
