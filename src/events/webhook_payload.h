// The body of a webhooks-out delivery (docs/events.md "Webhooks out"), in
// the Standard Webhooks shape {"type", "timestamp", "data"}. Built from the
// stored event alone, so every attempt and every redelivery of it sends
// the same bytes (only webhook-timestamp and the signature change).
#pragma once

#include <string>

#include "store/webhook_store.h"

namespace postern::events {

// {"type", "timestamp" (the change's time, RFC 3339), "data": {"message_id",
// "status", "recipient" (recipient.* types only), "provider", "class",
// "code", "detail", "at"}}; unknown values are null. Compact, keys in this
// order.
std::string webhook_payload(const store::WebhookEvent& event);

}  // namespace postern::events
