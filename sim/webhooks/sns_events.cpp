// Amazon SES notifications through Amazon SNS: the SES JSON as a string in
// the SNS envelope's Message, one notification per recipient, signed with
// the simulated SNS's RSA key (SignatureVersion 1 or 2) over the canonical
// string of the SNS documentation; SigningCertURL points at the control API.
#include <boost/json.hpp>

#include "core/time_format.h"
#include "sim/webhooks/webhook_format.h"

namespace postern::sim {

namespace json = boost::json;

namespace {

constexpr std::string_view kNotificationKeys[] = {"Message",   "MessageId", "Subject",
                                                  "Timestamp", "TopicArn",  "Type"};
constexpr std::string_view kConfirmationKeys[] = {
    "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"};

// "Key\nValue\n" for each signed key present, in byte order.
template <std::size_t N>
std::string string_to_sign(const json::object& m, const std::string_view (&keys)[N]) {
  std::string out;
  for (auto key : keys) {
    auto v = m.if_contains(key);
    if (!v || !v->is_string()) continue;
    out.append(key).append("\n").append(v->get_string()).append("\n");
  }
  return out;
}

std::string sns_timestamp(SystemTime t) {
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03lld", static_cast<long long>(ms));
  return format_utc(t, "%Y-%m-%dT%H:%M:%S") + frac + "Z";
}

WebhookPost signed_post(json::object m, std::string_view type, const WebhookContext& c) {
  m["SignatureVersion"] = std::to_string(c.spec.signature_version);
  m["SigningCertURL"] = c.sns_base_url + std::string(kSnsCertificatePath);
  auto text = type == "Notification" ? string_to_sign(m, kNotificationKeys)
                                     : string_to_sign(m, kConfirmationKeys);
  m["Signature"] = c.sns.sign_base64(text, c.spec.signature_version);
  WebhookPost post;
  post.headers = {{"Content-Type", "text/plain; charset=UTF-8"},
                  {"x-amz-sns-message-type", std::string(type)},
                  {"x-amz-sns-message-id", std::string(m.at("MessageId").get_string())},
                  {"x-amz-sns-topic-arn", c.spec.topic_arn},
                  {"User-Agent", "Amazon Simple Notification Service Agent"}};
  if (type == "Notification")
    post.headers.emplace_back("x-amz-sns-subscription-arn", c.spec.topic_arn + ":sim-subscription");
  post.body = json::serialize(m);
  return post;
}

json::object ses_content(const AcceptedMessage& m, const RecipientOutcome& r,
                         const WebhookContext& c) {
  const auto at = sns_timestamp(c.now);
  json::array destination;
  for (const auto& each : m.recipients) destination.emplace_back(each.address);
  json::object mail{{"timestamp", sns_timestamp(m.accepted_at)},
                    {"messageId", m.provider_message_id},
                    {"destination", std::move(destination)}};
  if (!m.postern_id.empty())
    mail["tags"] = json::object{{"postern_id", json::array{json::string(m.postern_id)}}};
  json::object out;
  auto feedback = c.ids.hex(16) + "-" + c.ids.uuid() + "-000000";
  switch (r.outcome) {
    case EventOutcome::delivered:
      out["notificationType"] = "Delivery";
      out["delivery"] = json::object{{"timestamp", at},
                                     {"processingTimeMillis", 512},
                                     {"recipients", json::array{json::string(r.address)}},
                                     {"smtpResponse", "250 2.6.0 Message received"},
                                     {"reportingMTA", "a8-70.smtp-out.amazonses.com"}};
      break;
    case EventOutcome::bounced:
    case EventOutcome::soft_bounced: {
      const bool hard = r.outcome == EventOutcome::bounced;
      out["notificationType"] = "Bounce";
      json::object who{{"emailAddress", r.address},
                       {"action", "failed"},
                       {"status", hard ? "5.1.1" : "4.2.2"},
                       {"diagnosticCode",
                        hard ? "smtp; 550 5.1.1 user unknown" : "smtp; 452 4.2.2 mailbox full"}};
      out["bounce"] = json::object{{"bounceType", hard ? "Permanent" : "Transient"},
                                   {"bounceSubType", hard ? "General" : "MailboxFull"},
                                   {"bouncedRecipients", json::array{std::move(who)}},
                                   {"timestamp", at},
                                   {"feedbackId", feedback},
                                   {"reportingMTA", "dsn; a8-70.smtp-out.amazonses.com"}};
      break;
    }
    case EventOutcome::complained:
      out["notificationType"] = "Complaint";
      out["complaint"] = json::object{
          {"complainedRecipients", json::array{json::object{{"emailAddress", r.address}}}},
          {"timestamp", at},
          {"feedbackId", feedback},
          {"complaintFeedbackType", "abuse"},
          {"userAgent", "postern-sim"}};
      break;
    case EventOutcome::deferred:
      // DeliveryDelay exists only with configuration-set event publishing,
      // which names the kind eventType.
      out["eventType"] = "DeliveryDelay";
      out["deliveryDelay"] = json::object{
          {"timestamp", at},
          {"delayType", "TransientCommunicationFailure"},
          {"delayedRecipients",
           json::array{json::object{{"emailAddress", r.address}, {"status", "4.4.1"}}}}};
      break;
  }
  out["mail"] = std::move(mail);
  return out;
}

}  // namespace

std::vector<WebhookPost> sns_events(const AcceptedMessage& m, const WebhookContext& c) {
  std::vector<WebhookPost> out;
  for (const auto& r : m.recipients) {
    auto message_id = c.ids.uuid();
    json::object n{{"Type", "Notification"},
                   {"MessageId", message_id},
                   {"TopicArn", c.spec.topic_arn},
                   {"Message", json::serialize(ses_content(m, r, c))},
                   {"Timestamp", sns_timestamp(c.now)},
                   {"UnsubscribeURL", c.sns_base_url + "/?Action=Unsubscribe&SubscriptionArn=" +
                                          c.spec.topic_arn + ":sim-subscription"}};
    auto post = signed_post(std::move(n), "Notification", c);
    post.events = 1;
    out.push_back(std::move(post));
  }
  return out;
}

WebhookPost sns_subscription_confirmation(const WebhookContext& c, const std::string& token) {
  json::object m{{"Type", "SubscriptionConfirmation"},
                 {"MessageId", c.ids.uuid()},
                 {"Token", token},
                 {"TopicArn", c.spec.topic_arn},
                 {"Message", "You have chosen to subscribe to the topic " + c.spec.topic_arn +
                                 ".\nTo confirm the subscription, visit the SubscribeURL "
                                 "included in this message."},
                 {"SubscribeURL", c.sns_base_url + "/?Action=ConfirmSubscription&TopicArn=" +
                                      c.spec.topic_arn + "&Token=" + token},
                 {"Timestamp", sns_timestamp(c.now)}};
  return signed_post(std::move(m), "SubscriptionConfirmation", c);
}

}  // namespace postern::sim
