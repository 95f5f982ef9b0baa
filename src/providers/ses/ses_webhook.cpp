#include "providers/ses/ses_webhook.h"

#include "providers/common/webhook_support.h"
#include "providers/ses/ses_notification.h"

namespace postern::providers::ses {

namespace {

WebhookRefusal retry_later(std::string reason, std::string message) {
  auto r = common::webhook_refusal(std::move(reason), std::move(message));
  r.retry_later = true;
  return r;
}

std::string failure_of(const Result<net::HttpClientResponse>& response) {
  if (!response) return response.error().message();
  return "HTTP " + std::to_string(response->status);
}

}  // namespace

void SesWebhook::receive(const WebhookRequest& request, std::function<void(WebhookResult)> done) {
  auto message = parse_sns_message(request.body);
  if (!message) return done(message.error());
  if (message->topic_arn != settings_.topic_arn)
    return done(common::webhook_refusal(
        "wrong_topic",
        "TopicArn " + message->topic_arn + " is not this provider's webhook_topic_arn"));
  auto cert_url = check_sns_url(settings_.hosts, message->signing_cert_url, "SigningCertURL");
  if (!cert_url) return done(cert_url.error());
  if (message->type == "SubscriptionConfirmation") {
    auto subscribe = check_sns_url(settings_.hosts, message->subscribe_url, "SubscribeURL");
    if (!subscribe) return done(subscribe.error());
  }
  auto now = request.now;
  auto self = shared_from_this();
  auto m = std::make_shared<SnsMessage>(std::move(*message));
  with_certificate(
      m->signing_cert_url, cert_url->amazon, now,
      [self, m, now, done = std::move(done)](CertificateResult cert) mutable {
        if (!cert) return done(cert.error());
        if (!(*cert)->verify(sns_string_to_sign(*m), m->signature, m->signature_version))
          return done(common::webhook_refusal(
              "bad_signature", "the signature does not match the SigningCertURL's certificate"));
        self->act(*m, now, std::move(done));
      });
}

void SesWebhook::with_certificate(const std::string& url, bool amazon, SystemTime now,
                                  std::function<void(CertificateResult)> done) {
  {
    std::lock_guard lock(mu_);
    auto it = certificates_.find(url);
    if (it != certificates_.end() && it->second->valid_at(now)) {
      auto cert = it->second;
      return done(cert);
    }
  }
  net::HttpClientRequest request;
  request.url = url;
  request.timeout = settings_.timeout;
  auto self = shared_from_this();
  fetch_(std::move(request), [self, url, amazon, now,
                              done = std::move(done)](Result<net::HttpClientResponse> response) {
    if (!response || response->status != 200)
      return done(
          retry_later("cert_unavailable", "the signing certificate could not be fetched from " +
                                              url + ": " + failure_of(response)));
    auto cert = SnsCertificate::load(response->body, now, amazon);
    if (cert) {
      std::lock_guard lock(self->mu_);
      // Rotations are rare; a full cache starts over rather than track age.
      if (self->certificates_.size() >= kMaxCertificates) self->certificates_.clear();
      self->certificates_[url] = *cert;
    }
    done(std::move(cert));
  });
}

void SesWebhook::act(const SnsMessage& message, SystemTime now,
                     std::function<void(WebhookResult)> done) {
  if (message.type == "Notification")
    return done(parse_ses_notification(message.message, message.message_id, now));
  if (message.type == "UnsubscribeConfirmation") {
    WebhookReport report;
    report.note = "unsubscribe confirmation noted; nothing to do";
    return done(std::move(report));
  }
  // SNS sends nothing more until the subscription is confirmed.
  net::HttpClientRequest request;
  request.url = message.subscribe_url;
  request.timeout = settings_.timeout;
  fetch_(std::move(request), [topic = message.topic_arn,
                              done = std::move(done)](Result<net::HttpClientResponse> response) {
    if (!response || response->status / 100 != 2)
      return done(retry_later("confirmation_failed",
                              "fetching SubscribeURL failed: " + failure_of(response)));
    WebhookReport report;
    report.note = "subscription to " + topic + " confirmed";
    done(std::move(report));
  });
}

}  // namespace postern::providers::ses
