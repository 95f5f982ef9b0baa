// Which webhook events a change of the Store records (webhook_store.h,
// step 1), shared by the writers of both backends so that SQLite and
// PostgreSQL tell endpoints of the same changes. `Webhooks` is a backend's
// webhook writer: wants(WebhookType) and record(WebhookType, WebhookEvent).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/provider_event.h"
#include "events/webhook_event_types.h"
#include "store/attempt_record.h"
#include "store/codec.h"
#include "store/webhook_store.h"

namespace postern::store {

// A webhook event type by its index in events::kWebhookEventTypes.
using WebhookType = std::size_t;

static_assert(events::kWebhookEventTypes.size() <= 32, "a bit per type in a std::uint32_t");

consteval WebhookType webhook_type(std::string_view name) {
  for (std::size_t i = 0; i < events::kWebhookEventTypes.size(); ++i)
    if (events::kWebhookEventTypes[i] == name) return i;
  throw "not a webhook event type";  // fails the constant evaluation
}

// The types an endpoints row's `events` column subscribes to; none listed:
// all. A name this version does not know (a newer one wrote it) is skipped.
inline std::uint32_t subscription_mask(std::string_view events_column) {
  if (events_column.empty()) return (1U << events::kWebhookEventTypes.size()) - 1;
  std::uint32_t mask = 0;
  for_each_line(events_column, [&](std::string_view name) {
    for (std::size_t i = 0; i < events::kWebhookEventTypes.size(); ++i)
      if (events::kWebhookEventTypes[i] == name) mask |= 1U << i;
  });
  return mask;
}

inline bool subscribes(std::uint32_t mask, std::string_view type) {
  for (std::size_t i = 0; i < events::kWebhookEventTypes.size(); ++i)
    if (events::kWebhookEventTypes[i] == type) return (mask >> i) & 1U;
  return false;
}

// A new message: accepted, and each recipient left out at intake.
template <class Webhooks>
Result<void> tell_accepted(Webhooks& webhooks, MessageId id, SystemTime at, const NewMessage& m) {
  constexpr auto kAccepted = webhook_type("message.accepted");
  constexpr auto kSuppressed = webhook_type("recipient.suppressed");
  if (webhooks.wants(kAccepted)) {
    auto detail = accepted_detail(m.source, m.submitted_by);
    if (auto r = webhooks.record(kAccepted, {.message = id, .at = at, .detail = detail}); !r)
      return r;
  }
  if (m.suppressed.empty() || !webhooks.wants(kSuppressed)) return {};
  for (const auto& address : m.suppressed) {
    if (auto r = webhooks.record(
            kSuppressed,
            {.message = id, .recipient = address, .at = at, .detail = "on the suppression list"});
        !r)
      return r;
  }
  return {};
}

// An attempt's outcome, when the status moved for the user.
template <class Webhooks>
Result<void> tell_attempt(Webhooks& webhooks, const AttemptRecord& rec, SystemTime at) {
  WebhookType type = 0;
  switch (rec.next_status) {
    case MessageStatus::sent:
      type = webhook_type("message.sent");
      break;
    case MessageStatus::failed:
      type = webhook_type("message.failed");
      break;
    case MessageStatus::deferred:
      // A part that settled its recipients defers the message only for the
      // next part to go at once: its status did not move for the user.
      if (!rec.counts_as_attempt && !rec.settled_recipients.empty()) return {};
      type = webhook_type("message.deferred");
      break;
    default:  // quarantined: not a change endpoints are told of
      return {};
  }
  if (!webhooks.wants(type)) return {};
  return webhooks.record(type, {.message = rec.id,
                                .at = at,
                                .status = rec.next_status,
                                .provider = rec.provider,
                                .failure_class = rec.failure_class,
                                .code = rec.code,
                                .detail = rec.detail});
}

// A provider's report on one recipient (`address`, as the envelope spells
// it) of a message whose status is `status`: recipient.<its type>.
template <class Webhooks>
Result<void> tell_recipient_report(Webhooks& webhooks, MessageId message,
                                   const events::ProviderEvent& e, const std::string& address,
                                   MessageStatus status) {
  WebhookType type = webhook_type("recipient.deferred");
  switch (e.type) {
    case events::RecipientEventType::delivered:
      type = webhook_type("recipient.delivered");
      break;
    case events::RecipientEventType::bounced:
      type = webhook_type("recipient.bounced");
      break;
    case events::RecipientEventType::soft_bounced:
      type = webhook_type("recipient.soft_bounced");
      break;
    case events::RecipientEventType::complained:
      type = webhook_type("recipient.complained");
      break;
    case events::RecipientEventType::deferred:
      break;
  }
  if (!webhooks.wants(type)) return {};
  return webhooks.record(type, {.message = message,
                                .recipient = address,
                                .at = e.at,
                                .status = status,
                                .provider = e.provider,
                                .detail = e.detail});
}

// A user's cancel or retry, which moved the message to `after`.
template <class Webhooks>
Result<void> tell_request(Webhooks& webhooks, WebhookType type, MessageId id, SystemTime at,
                          MessageStatus after, const std::string& detail) {
  if (!webhooks.wants(type)) return {};
  return webhooks.record(type, {.message = id, .at = at, .status = after, .detail = detail});
}

}  // namespace postern::store
