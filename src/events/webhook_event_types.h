// The state changes Postern tells the user's endpoints about (webhooks out,
// docs/events.md "Webhooks out"), by the names endpoints subscribe to and
// payloads carry. Stored by name, never by number.
//
// message.*   the message's own status moved: accepted at intake (queued),
//             sent, deferred (a retry is due), failed (for good), cancelled,
//             retried (queued again by a manual retry).
// recipient.* one recipient's state moved: suppressed (left out at intake,
//             on the suppression list), and what its provider reported
//             afterwards (events/provider_event.h): delivered, bounced,
//             soft_bounced, complained, deferred.
#pragma once

#include <array>
#include <string_view>

namespace postern::events {

inline constexpr std::array<std::string_view, 12> kWebhookEventTypes = {
    "message.accepted",  "message.sent",           "message.deferred",     "message.failed",
    "message.cancelled", "message.retried",        "recipient.suppressed", "recipient.delivered",
    "recipient.bounced", "recipient.soft_bounced", "recipient.complained", "recipient.deferred",
};

inline bool is_webhook_event_type(std::string_view name) {
  for (auto t : kWebhookEventTypes)
    if (t == name) return true;
  return false;
}

}  // namespace postern::events
