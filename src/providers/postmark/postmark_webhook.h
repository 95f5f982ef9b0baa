// Postmark's webhooks (docs/events.md, "Webhooks in"; facts in
// shared/provider-webhooks.md §4): one JSON record per request. Postmark
// signs nothing; the webhook URL carries HTTP Basic credentials
// (https://user:password@host/v1/webhooks/NAME) that are checked here.
#pragma once

#include <string>

#include "providers/webhook.h"

namespace postern::providers::postmark {

struct PostmarkWebhookSettings {
  std::string username;  // both empty: no webhook
  std::string password;
};

// Checks the credentials, then reads the record. Refusals: bad_credentials,
// malformed.
WebhookResult parse_postmark_webhook(const PostmarkWebhookSettings& settings,
                                     const WebhookRequest& request);

class PostmarkWebhook final : public Webhook {
 public:
  explicit PostmarkWebhook(PostmarkWebhookSettings settings) : settings_(std::move(settings)) {}
  void receive(const WebhookRequest& request, std::function<void(WebhookResult)> done) override {
    done(parse_postmark_webhook(settings_, request));
  }

 private:
  PostmarkWebhookSettings settings_;
};

}  // namespace postern::providers::postmark
