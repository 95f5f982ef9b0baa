// SendGrid's Event Webhook (docs/events.md, "Webhooks in"; facts in
// shared/provider-webhooks.md §2): a JSON array of events per request,
// signed with ECDSA P-256 over SHA-256 of the X-Twilio-Email-Event-Webhook-
// Timestamp value followed by the raw body bytes.
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "providers/webhook.h"

namespace postern::providers::sendgrid {

// The verification key, parsed once.
class SendGridWebhookKey {
 public:
  // `base64_der`: the key as SendGrid shows it (base64 of DER
  // SubjectPublicKeyInfo, "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE..."); an EC
  // key on P-256 only. Errors say why not.
  static Result<std::shared_ptr<const SendGridWebhookKey>, Problem> parse(
      std::string_view base64_der);
  ~SendGridWebhookKey();
  SendGridWebhookKey(const SendGridWebhookKey&) = delete;
  SendGridWebhookKey& operator=(const SendGridWebhookKey&) = delete;

  // Whether `der_signature` (ASN.1 ECDSA-Sig-Value) signs SHA-256 of `data`.
  bool verify(std::string_view data, std::string_view der_signature) const;

 private:
  struct Impl;
  explicit SendGridWebhookKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Checks the signature headers, then reads the batch. Refusals: malformed,
// missing_signature, bad_signature. Elements of the batch that are not
// event objects or lack sg_event_id are counted as ignored.
WebhookResult parse_sendgrid_webhook(const SendGridWebhookKey& key, const WebhookRequest& request);

class SendGridWebhook final : public Webhook {
 public:
  explicit SendGridWebhook(std::shared_ptr<const SendGridWebhookKey> key) : key_(std::move(key)) {}
  void receive(const WebhookRequest& request, std::function<void(WebhookResult)> done) override {
    done(parse_sendgrid_webhook(*key_, request));
  }

 private:
  std::shared_ptr<const SendGridWebhookKey> key_;
};

}  // namespace postern::providers::sendgrid
