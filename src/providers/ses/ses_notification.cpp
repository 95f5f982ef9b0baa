#include "providers/ses/ses_notification.h"

#include "providers/common/webhook_support.h"

namespace postern::providers::ses {

namespace json = boost::json;
using common::object_member;
using common::text_member;
using T = events::RecipientEventType;

namespace {

// Which array of the kind's object names the recipients, and whether its
// items are objects with an emailAddress (bounces) or plain strings
// (deliveries).
struct Kind {
  std::string_view name;    // notificationType / eventType
  std::string_view object;  // the member holding the details
  std::string_view recipients;
};

constexpr Kind kKinds[] = {
    {"Bounce", "bounce", "bouncedRecipients"},
    {"Complaint", "complaint", "complainedRecipients"},
    {"Delivery", "delivery", "recipients"},
    {"DeliveryDelay", "deliveryDelay", "delayedRecipients"},
};

std::optional<T> type_of(std::string_view kind, const json::object& details) {
  if (kind == "Delivery") return T::delivered;
  if (kind == "Complaint") return T::complained;
  if (kind == "DeliveryDelay") return T::deferred;
  // Undetermined and Transient: SES gave up on it for now; not final.
  auto bounce = text_member(details, "bounceType");
  return bounce == "Permanent" || bounce == "PERMANENT" ? T::bounced : T::soft_bounced;
}

// The reason common to every recipient of the notification.
std::string_view shared_detail(std::string_view kind, const json::object& details) {
  if (kind == "Delivery") return text_member(details, "smtpResponse");
  if (kind == "Complaint") return text_member(details, "complaintFeedbackType");
  if (kind == "DeliveryDelay") return text_member(details, "delayType");
  return text_member(details, "bounceSubType");
}

std::string postern_id_of(const json::object& mail) {
  const auto* tags = object_member(mail, "tags");
  if (!tags) return "";
  const auto* values = tags->if_contains("postern_id");
  if (!values || !values->is_array() || values->as_array().empty()) return "";
  const auto& first = values->as_array().front();
  return first.is_string() ? std::string(first.as_string()) : "";
}

}  // namespace

WebhookResult parse_ses_notification(std::string_view message, std::string_view sns_message_id,
                                     SystemTime now) {
  auto value = common::parse_json(message);
  if (!value || !value->is_object())
    return common::malformed_webhook("Message is not an SES notification (a JSON object)");
  const auto& o = value->as_object();
  auto kind_name = text_member(o, "notificationType");
  if (kind_name.empty()) kind_name = text_member(o, "eventType");
  WebhookReport report;
  const Kind* kind = nullptr;
  for (const auto& k : kKinds)
    if (k.name == kind_name) kind = &k;
  const auto* details = kind ? object_member(o, kind->object) : nullptr;
  const auto* recipients = details ? details->if_contains(kind->recipients) : nullptr;
  if (!recipients || !recipients->is_array()) {
    report.ignored = 1;
    return report;
  }
  auto type = type_of(kind->name, *details);
  std::string provider_message_id, postern_id;
  if (const auto* mail = object_member(o, "mail")) {
    provider_message_id = text_member(*mail, "messageId");
    postern_id = postern_id_of(*mail);
  }
  auto at = common::rfc3339_member(*details, "timestamp").value_or(now);
  auto shared = shared_detail(kind->name, *details);
  for (const auto& r : recipients->as_array()) {
    std::string_view address, own_detail;
    if (r.is_string()) {
      address = r.as_string();
    } else if (r.is_object()) {
      address = text_member(r.as_object(), "emailAddress");
      own_detail = text_member(r.as_object(), "diagnosticCode");
      if (own_detail.empty()) own_detail = text_member(r.as_object(), "status");
    }
    if (address.empty()) {
      ++report.ignored;
      continue;
    }
    events::ProviderEvent e;
    e.dedupe_key = std::string(sns_message_id) + "/" + std::string(address);
    e.provider_message_id = provider_message_id;
    e.postern_id = postern_id;
    e.recipient = std::string(address);
    e.type = *type;
    e.at = at;
    e.detail = common::event_detail(own_detail.empty() ? shared : own_detail);
    report.events.push_back(std::move(e));
  }
  return report;
}

}  // namespace postern::providers::ses
