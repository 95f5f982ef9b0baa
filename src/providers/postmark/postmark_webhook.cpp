#include "providers/postmark/postmark_webhook.h"

#include "core/ascii.h"
#include "core/base64.h"
#include "providers/common/webhook_support.h"

namespace postern::providers::postmark {

namespace json = boost::json;
using common::text_member;

namespace {

// Whether the Authorization header is Basic with these credentials. Both
// are compared in full whatever the first's outcome, in constant time.
bool credentials_match(const PostmarkWebhookSettings& settings, std::string_view header) {
  constexpr std::string_view kBasic = "Basic ";
  if (!ascii_istarts_with(header, kBasic)) return false;
  auto decoded = base64_decode(header.substr(kBasic.size()));
  if (!decoded) return false;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  bool user_ok = common::secrets_equal(decoded->substr(0, colon), settings.username);
  bool password_ok = common::secrets_equal(decoded->substr(colon + 1), settings.password);
  return user_ok && password_ok;
}

std::optional<events::RecipientEventType> bounce_type(std::string_view type) {
  using T = events::RecipientEventType;
  if (type == "HardBounce" || type == "BadEmailAddress") return T::bounced;
  if (type == "SpamComplaint") return T::complained;
  // "Transient": delayed, Postmark keeps trying.
  if (type == "Transient") return T::deferred;
  if (type == "SoftBounce" || type == "DnsError" || type == "Blocked" || type == "DMARCPolicy")
    return T::soft_bounced;
  // Auto-responders, challenge mails, (un)subscribe requests and the like
  // are not about delivery.
  return std::nullopt;
}

std::string id_text(const json::object& record) {
  const auto* id = record.if_contains("ID");
  if (!id) return "";
  if (id->is_int64()) return std::to_string(id->as_int64());
  if (id->is_uint64()) return std::to_string(id->as_uint64());
  if (id->is_string()) return std::string(id->as_string());
  return "";
}

}  // namespace

WebhookResult parse_postmark_webhook(const PostmarkWebhookSettings& settings,
                                     const WebhookRequest& request) {
  if (!credentials_match(settings, request.header("Authorization")))
    return common::webhook_refusal(
        "bad_credentials", "HTTP Basic credentials are missing or do not match the webhook's");
  auto body = common::parse_json(request.body);
  if (!body || !body->is_object())
    return common::malformed_webhook("the body is not a JSON object");
  const auto& record = body->as_object();
  auto record_type = text_member(record, "RecordType");
  WebhookReport report;
  events::ProviderEvent e;
  e.provider_message_id = std::string(text_member(record, "MessageID"));
  if (const auto* metadata = common::object_member(record, "Metadata"))
    e.postern_id = std::string(text_member(*metadata, "postern_id"));
  if (record_type == "Delivery") {
    e.type = events::RecipientEventType::delivered;
    e.recipient = std::string(text_member(record, "Recipient"));
    auto delivered_at = text_member(record, "DeliveredAt");
    // Delivery records have no ID of their own.
    e.dedupe_key = e.provider_message_id + "/" + e.recipient + "/" + std::string(delivered_at);
    e.at = common::rfc3339_member(record, "DeliveredAt").value_or(request.now);
    e.detail = common::event_detail(text_member(record, "Details"));
  } else if (record_type == "Bounce" || record_type == "SpamComplaint") {
    auto type = record_type == "SpamComplaint" ? events::RecipientEventType::complained
                                               : bounce_type(text_member(record, "Type"));
    auto id = id_text(record);
    if (!type || id.empty()) {
      report.ignored = 1;
      return report;
    }
    e.type = *type;
    e.recipient = std::string(text_member(record, "Email"));
    e.dedupe_key = std::string(record_type) + "/" + id;
    e.at = common::rfc3339_member(record, "BouncedAt").value_or(request.now);
    auto details = text_member(record, "Details");
    e.detail = common::event_detail(details.empty() ? text_member(record, "Description") : details);
  } else {
    report.ignored = 1;
    return report;
  }
  report.events.push_back(std::move(e));
  return report;
}

}  // namespace postern::providers::postmark
