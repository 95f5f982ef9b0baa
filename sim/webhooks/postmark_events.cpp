// Postmark's Delivery, Bounce and SpamComplaint webhooks: one record per
// POST, no signature, HTTP Basic credentials from the webhook URL or the
// username/password settings.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/base64.h"
#include "core/time_format.h"
#include "sim/webhooks/webhook_format.h"

namespace postern::sim {

namespace json = boost::json;

namespace {

constexpr int kServerId = 23;

struct BounceKind {
  std::string_view type;
  int code;
  std::string_view name;
  std::string_view description;
};

BounceKind bounce_kind(EventOutcome outcome) {
  switch (outcome) {
    case EventOutcome::soft_bounced:
      return {"SoftBounce", 4096, "Soft bounce",
              "Unable to temporarily deliver this email (mailbox full)."};
    case EventOutcome::deferred:
      return {"Transient", 2, "Message delayed", "The server could not temporarily deliver."};
    case EventOutcome::complained:
      return {"SpamComplaint", 100001, "Spam complaint",
              "The subscriber explicitly marked this message as spam."};
    default:
      break;
  }
  return {"HardBounce", 1, "Hard bounce",
          "The server was unable to deliver your message (ex: unknown user, mailbox not found)."};
}

}  // namespace

std::vector<WebhookPost> postmark_events(const AcceptedMessage& m, const WebhookContext& c) {
  auto target = webhook_target(c.spec.url);
  auto user = target.username.empty() ? c.spec.username : target.username;
  auto password = target.username.empty() ? c.spec.password : target.password;
  auto at = format_utc(c.now, "%Y-%m-%dT%H:%M:%SZ");
  json::object metadata;
  if (!m.postern_id.empty()) metadata["postern_id"] = m.postern_id;
  std::vector<WebhookPost> out;
  for (const auto& r : m.recipients) {
    json::object record;
    if (r.outcome == EventOutcome::delivered) {
      record = {{"RecordType", "Delivery"},    {"ServerID", kServerId},
                {"MessageStream", "outbound"}, {"MessageID", m.provider_message_id},
                {"Recipient", r.address},      {"Tag", ""},
                {"DeliveredAt", at},           {"Details", "smtp;250 2.0.0 OK"},
                {"Metadata", metadata}};
    } else {
      auto kind = bounce_kind(r.outcome);
      const bool complaint = r.outcome == EventOutcome::complained;
      const bool hard = complaint || r.outcome == EventOutcome::bounced;
      record = {{"RecordType", complaint ? "SpamComplaint" : "Bounce"},
                {"ID", static_cast<std::int64_t>(c.ids.next() % 9'000'000'000LL) + 1'000'000'000LL},
                {"Type", kind.type},
                {"TypeCode", kind.code},
                {"Name", kind.name},
                {"Tag", ""},
                {"MessageID", m.provider_message_id},
                {"ServerID", kServerId},
                {"MessageStream", "outbound"},
                {"Description", kind.description},
                {"Details", complaint ? "" : "smtp;550 5.1.1 The email account does not exist"},
                {"Email", r.address},
                {"From", "sender@postmark.sim.invalid"},
                {"BouncedAt", at},
                {"DumpAvailable", false},
                {"Inactive", hard},
                {"CanActivate", true},
                {"Subject", ""},
                {"Content", ""},
                {"Metadata", metadata}};
    }
    WebhookPost post;
    post.body = json::serialize(record);
    post.headers = {{"Content-Type", "application/json"}};
    if (!user.empty())
      post.headers.emplace_back("Authorization",
                                "Basic " + base64_encode(fmt::format("{}:{}", user, password)));
    post.events = 1;
    post.final_status = 403;
    out.push_back(std::move(post));
  }
  return out;
}

}  // namespace postern::sim
