// Mailgun's v3 webhooks: one event per POST, the signature block
// (HMAC-SHA256 of timestamp + token with the webhook signing key) beside
// event-data, which it does not cover.
#include <boost/json.hpp>

#include "sim/webhooks/webhook_format.h"

namespace postern::sim {

namespace {

constexpr int kTokenLength = 50;

struct MailgunOutcome {
  std::string_view event;
  std::string_view severity;  // failed only
  std::string_view reason;
  int code;
  std::string_view message;
};

MailgunOutcome describe(EventOutcome outcome) {
  switch (outcome) {
    case EventOutcome::bounced:
      return {"failed", "permanent", "bounce", 550, "5.1.1 The email account does not exist."};
    case EventOutcome::soft_bounced:
      return {"failed", "temporary", "generic", 452, "4.2.2 The email account is over quota."};
    case EventOutcome::deferred:
      return {"failed", "temporary", "greylisted", 451, "4.7.1 Greylisted, try again later."};
    case EventOutcome::complained:
      return {"complained", "", "", 0, ""};
    case EventOutcome::delivered:
      break;
  }
  return {"delivered", "", "", 250, "OK"};
}

std::string without_brackets(std::string_view id) {
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return std::string(id);
}

}  // namespace

std::vector<WebhookPost> mailgun_events(const AcceptedMessage& m, const WebhookContext& c) {
  namespace json = boost::json;
  std::vector<WebhookPost> out;
  const auto now = std::chrono::duration<double>(c.now.time_since_epoch()).count();
  const auto timestamp = std::to_string(static_cast<long long>(now));
  for (const auto& r : m.recipients) {
    auto d = describe(r.outcome);
    auto token = c.ids.url_safe(kTokenLength);
    json::object signature{{"token", token},
                           {"timestamp", timestamp},
                           {"signature", hmac_sha256_hex(c.spec.signing_key, timestamp + token)}};
    auto at = r.address.find('@');
    json::object data{
        {"id", c.ids.url_safe(22)},
        {"timestamp", now},
        {"event", d.event},
        {"log-level", d.event == "failed" ? "error" : "info"},
        {"recipient", r.address},
        {"recipient-domain", at == std::string::npos ? "" : r.address.substr(at + 1)},
        {"message",
         json::object{
             {"headers", json::object{{"message-id", without_brackets(m.provider_message_id)}}}}},
        {"flags", json::object{{"is-authenticated", true}, {"is-test-mode", false}}},
        {"user-variables",
         m.postern_id.empty() ? json::object{} : json::object{{"postern-id", m.postern_id}}},
        {"tags", json::array{}},
    };
    if (!d.severity.empty()) {
      data["severity"] = d.severity;
      data["reason"] = d.reason;
    }
    if (d.code != 0) {
      data["delivery-status"] = json::object{{"code", d.code},
                                             {"message", d.message},
                                             {"description", ""},
                                             {"attempt-no", 1},
                                             {"tls", true}};
    }
    WebhookPost post;
    post.body = json::serialize(
        json::object{{"signature", std::move(signature)}, {"event-data", std::move(data)}});
    post.headers = {{"Content-Type", "application/json"}};
    post.events = 1;
    post.retried = r.outcome != EventOutcome::delivered;
    post.final_status = 406;
    out.push_back(std::move(post));
  }
  return out;
}

}  // namespace postern::sim
