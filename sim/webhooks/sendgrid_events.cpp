// SendGrid's Event Webhook: a JSON array of events per POST (batches),
// signed with ECDSA P-256 over the timestamp header followed by the body.
#include <boost/json.hpp>

#include "sim/common/http_util.h"
#include "sim/webhooks/webhook_format.h"

namespace postern::sim {

namespace {

boost::json::object event_of(const RecipientOutcome& r, const AcceptedMessage& m,
                             const WebhookContext& c, std::size_t index, long long timestamp) {
  boost::json::object e{
      {"email", r.address},
      {"timestamp", timestamp},
      {"smtp-id", "<" + m.provider_message_id + "@sim.sendgrid.invalid>"},
      {"sg_event_id", c.ids.url_safe(22)},
      // One per recipient: the X-Message-Id, then a suffix (prefix match).
      {"sg_message_id", m.provider_message_id + ".filter0001p1sim1-" +
                            std::to_string(c.ids.next() % 100000) + "-SIM." +
                            std::to_string(index)},
      {"category", boost::json::array{}},
  };
  // custom_args come back as top-level keys.
  if (!m.postern_id.empty()) e["postern_id"] = m.postern_id;
  switch (r.outcome) {
    case EventOutcome::delivered:
      e["event"] = "delivered";
      e["response"] = "250 2.0.0 OK";
      break;
    case EventOutcome::bounced:
      e["event"] = "bounce";
      e["type"] = "bounce";
      e["status"] = "5.1.1";
      e["reason"] = "550 5.1.1 The email account that you tried to reach does not exist";
      break;
    case EventOutcome::soft_bounced:
      e["event"] = "bounce";
      e["type"] = "blocked";
      e["status"] = "4.7.1";
      e["reason"] = "421 4.7.1 Temporarily rate limited";
      break;
    case EventOutcome::deferred:
      e["event"] = "deferred";
      e["response"] = "451 4.7.1 Greylisted";
      e["attempt"] = "1";
      break;
    case EventOutcome::complained:
      e["event"] = "spamreport";
      break;
  }
  return e;
}

}  // namespace

std::vector<WebhookPost> sendgrid_events(const AcceptedMessage& m, const WebhookContext& c) {
  std::vector<WebhookPost> out;
  const auto timestamp = unix_seconds(c.now);
  const auto batch = static_cast<std::size_t>(std::max(1, c.spec.batch));
  for (std::size_t first = 0; first < m.recipients.size(); first += batch) {
    boost::json::array events;
    for (std::size_t i = first; i < std::min(first + batch, m.recipients.size()); ++i)
      events.push_back(event_of(m.recipients[i], m, c, i, timestamp));
    WebhookPost post;
    post.events = events.size();
    post.body = boost::json::serialize(events);
    post.headers = {{"Content-Type", "application/json"}};
    post.sign_each_attempt = true;
    out.push_back(std::move(post));
  }
  return out;
}

WebhookHeaders sendgrid_signature_headers(const EcSigningKey& key, const std::string& body,
                                          long long timestamp) {
  auto ts = std::to_string(timestamp);
  return {{"X-Twilio-Email-Event-Webhook-Signature", key.sign_base64(ts + body)},
          {"X-Twilio-Email-Event-Webhook-Timestamp", ts}};
}

}  // namespace postern::sim
