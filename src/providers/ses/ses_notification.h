// The SES notification an SNS Notification carries as the JSON string in
// its Message (shared/provider-webhooks.md §3): Bounce, Complaint,
// Delivery (notificationType), and with configuration-set event publishing
// (eventType) also DeliveryDelay. Sans-io.
#pragma once

#include <string_view>

#include "providers/webhook.h"

namespace postern::providers::ses {

// One event per recipient named, each keyed "<sns_message_id>/<recipient>".
// Other kinds count as one ignored report. Refusal: malformed (Message is
// not a JSON object).
WebhookResult parse_ses_notification(std::string_view message, std::string_view sns_message_id,
                                     SystemTime now);

}  // namespace postern::providers::ses
