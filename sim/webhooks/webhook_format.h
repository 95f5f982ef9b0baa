// The webhook requests a simulated provider sends after accepting a
// message: each provider's real body, headers and signature, built without
// sockets (the dispatcher in sim/app/ sends them). One file per provider:
// mailgun_events.cpp, sendgrid_events.cpp, sns_events.cpp,
// postmark_events.cpp. Facts: ../shared/provider-webhooks.md.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "sim/common/fault_spec.h"
#include "sim/common/id_source.h"
#include "sim/common/service_kind.h"
#include "sim/webhooks/webhook_keys.h"
#include "sim/webhooks/webhook_spec.h"

namespace postern::sim {

struct RecipientOutcome {
  std::string address;
  EventOutcome outcome = EventOutcome::delivered;
};

// A message a simulated API accepted, with what happens to each recipient.
struct AcceptedMessage {
  Service service = Service::mailgun;
  std::string postern_id;           // "" when the send carried none
  std::string provider_message_id;  // as the send call returned it
  std::vector<RecipientOutcome> recipients;
  SystemTime accepted_at{};
};

using WebhookHeaders = std::vector<std::pair<std::string, std::string>>;

struct WebhookPost {
  std::string body;
  WebhookHeaders headers;  // Content-Type included
  std::size_t events = 0;
  // SendGrid signs each attempt with its timestamp: the dispatcher adds the
  // two X-Twilio-Email-Event-Webhook-* headers when it sends.
  bool sign_each_attempt = false;
  // Mailgun does not retry delivered notifications.
  bool retried = true;
  // An answer with this status stops the retries (Mailgun 406, Postmark 403;
  // 0: none does).
  int final_status = 0;
};

// Whether an attempt at `post` that got `status` (0: no answer, a transport
// failure) is retried, retries left aside: a non-2xx answer other than the
// post's final status, or no answer at all.
bool retried_after(const WebhookPost& post, int status);

// The URL to post to and the credentials written in it
// ("http://user:pass@host/path" -> "http://host/path", "user", "pass").
struct WebhookTarget {
  std::string url;
  std::string username;
  std::string password;
};
WebhookTarget webhook_target(const std::string& url);

// What building needs besides the message.
struct WebhookContext {
  const WebhookSpec& spec;
  IdSource& ids;
  SystemTime now;
  const SnsSigningKey& sns;
  // "http://127.0.0.1:PORT/_sim/sns": where the certificate and the
  // SubscribeURL are served (the control API).
  std::string sns_base_url;
};

std::vector<WebhookPost> mailgun_events(const AcceptedMessage& m, const WebhookContext& c);
std::vector<WebhookPost> sendgrid_events(const AcceptedMessage& m, const WebhookContext& c);
std::vector<WebhookPost> sns_events(const AcceptedMessage& m, const WebhookContext& c);
std::vector<WebhookPost> postmark_events(const AcceptedMessage& m, const WebhookContext& c);

// The requests for one accepted message, by its service (none for smtp).
std::vector<WebhookPost> build_webhooks(const AcceptedMessage& m, const WebhookContext& c);

// SendGrid's signature headers for one attempt at `timestamp`.
WebhookHeaders sendgrid_signature_headers(const EcSigningKey& key, const std::string& body,
                                          long long timestamp);

// The SNS SubscriptionConfirmation for the configured topic, with `token`
// in its SubscribeURL.
WebhookPost sns_subscription_confirmation(const WebhookContext& c, const std::string& token);

// The SNS path under sns_base_url that serves the certificate.
inline constexpr std::string_view kSnsCertificatePath = "/SimpleNotificationService-sim.pem";

}  // namespace postern::sim
