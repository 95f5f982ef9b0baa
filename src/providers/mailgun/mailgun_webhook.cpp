#include "providers/mailgun/mailgun_webhook.h"

#include <cstring>

#include "core/decimal.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "providers/common/webhook_support.h"

namespace postern::providers::mailgun {

namespace json = boost::json;
using common::text_member;

namespace {

std::int64_t unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::optional<events::RecipientEventType> event_type(std::string_view event,
                                                     std::string_view severity) {
  using T = events::RecipientEventType;
  if (event == "delivered") return T::delivered;
  if (event == "complained") return T::complained;
  // A permanent failure is a hard bounce or a drop; on a temporary one
  // Mailgun keeps trying.
  if (event == "failed") return severity == "permanent" ? T::bounced : T::deferred;
  return std::nullopt;
}

std::string detail_of(const json::object& data) {
  std::string out;
  if (const auto* status = common::object_member(data, "delivery-status")) {
    if (const auto* code = status->if_contains("code"); code && code->is_int64())
      out = std::to_string(code->as_int64());
    for (auto key : {"message", "description"}) {
      auto text = text_member(*status, key);
      if (!text.empty()) {
        out += (out.empty() ? "" : " ") + std::string(text);
        break;
      }
    }
  }
  if (out.empty()) out = std::string(text_member(data, "reason"));
  return common::event_detail(out);
}

}  // namespace

MailgunTokenLog::Verdict MailgunTokenLog::time_verdict(std::int64_t timestamp,
                                                       std::int64_t now) const {
  if (timestamp > now + kMailgunMaxAhead.count()) return Verdict::ahead;
  if (timestamp < now - kMailgunMaxAge.count() || timestamp <= floor_) return Verdict::stale;
  return Verdict::fresh;
}

MailgunTokenLog::Verdict MailgunTokenLog::check_time(std::int64_t timestamp, SystemTime now) const {
  std::lock_guard lock(mu_);
  return time_verdict(timestamp, unix_seconds(now));
}

void MailgunTokenLog::expire(std::int64_t now) {
  // Arrival order is nearly timestamp order; an entry behind a younger one
  // stays a little longer, which only costs memory.
  while (!order_.empty() && order_.front().first < now - kMailgunMaxAge.count()) {
    seen_.erase(order_.front().second);
    order_.pop_front();
  }
}

MailgunTokenLog::Verdict MailgunTokenLog::admit(std::string_view token, std::int64_t timestamp,
                                                SystemTime now) {
  auto digest = sha256(token);
  Key key;
  std::memcpy(&key.hi, digest.data(), sizeof key.hi);
  std::memcpy(&key.lo, digest.data() + sizeof key.hi, sizeof key.lo);
  std::lock_guard lock(mu_);
  auto seconds = unix_seconds(now);
  expire(seconds);
  if (auto v = time_verdict(timestamp, seconds); v != Verdict::fresh) return v;
  if (seen_.contains(key)) return Verdict::replayed;
  while (order_.size() >= capacity_ && !order_.empty()) {
    floor_ = std::max(floor_, order_.front().first);
    seen_.erase(order_.front().second);
    order_.pop_front();
  }
  // The forgotten one may have been as old as this one.
  if (timestamp <= floor_) return Verdict::stale;
  seen_.insert(key);
  order_.emplace_back(timestamp, key);
  return Verdict::fresh;
}

std::size_t MailgunTokenLog::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

WebhookResult parse_mailgun_webhook(const MailgunWebhookSettings& settings, MailgunTokenLog& tokens,
                                    const WebhookRequest& request) {
  auto body = common::parse_json(request.body);
  if (!body || !body->is_object())
    return common::malformed_webhook("the body is not a JSON object");
  const auto* signature = common::object_member(body->as_object(), "signature");
  if (!signature) return common::malformed_webhook("the body has no signature object");
  auto token = text_member(*signature, "token");
  auto timestamp_text = text_member(*signature, "timestamp");
  auto digest = text_member(*signature, "signature");
  auto timestamp = parse_decimal<std::int64_t>(timestamp_text);
  if (token.empty() || !timestamp || digest.empty())
    return common::malformed_webhook("signature needs token, timestamp and signature");

  // The cheap time check first; the token is remembered only once the
  // signature holds, so forged requests cannot fill the log.
  using V = MailgunTokenLog::Verdict;
  auto stale = [] {
    return common::webhook_refusal("stale_timestamp",
                                   "the signature's timestamp is more than 10 minutes from now");
  };
  if (tokens.check_time(*timestamp, request.now) != V::fresh) return stale();
  std::string signed_text = std::string(timestamp_text) + std::string(token);
  auto expected = to_hex(hmac_sha256(settings.signing_key, signed_text));
  if (!common::secrets_equal(expected, digest))
    return common::webhook_refusal("bad_signature",
                                   "the signature does not match the webhook signing key");
  switch (tokens.admit(token, *timestamp, request.now)) {
    case V::fresh:
      break;
    case V::replayed:
      return common::webhook_refusal("replayed", "this signature's token was used before");
    case V::stale:
    case V::ahead:
      return stale();
  }

  const auto* data = common::object_member(body->as_object(), "event-data");
  if (!data) return common::malformed_webhook("the body has no event-data object");
  WebhookReport report;
  auto type = event_type(text_member(*data, "event"), text_member(*data, "severity"));
  if (!type) {
    report.ignored = 1;
    return report;
  }
  events::ProviderEvent e;
  e.dedupe_key = std::string(token);
  e.type = *type;
  e.recipient = std::string(text_member(*data, "recipient"));
  if (const auto* message = common::object_member(*data, "message")) {
    if (const auto* headers = common::object_member(*message, "headers")) {
      auto id = text_member(*headers, "message-id");
      // As the dispatcher recorded the send call's answer: without the
      // angle brackets (mailgun_classify.cpp), as events carry it.
      if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
      e.provider_message_id = std::string(id);
    }
  }
  if (const auto* vars = common::object_member(*data, "user-variables"))
    e.postern_id = std::string(text_member(*vars, "postern-id"));
  e.at = common::unix_time_member(*data, "timestamp").value_or(request.now);
  e.detail = detail_of(*data);
  report.events.push_back(std::move(e));
  return report;
}

}  // namespace postern::providers::mailgun
